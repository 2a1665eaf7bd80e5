import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starts and observes local worker processes with posix_spawn.
///
/// Why not `Foundation.Process`: on Linux it hands the child the signal mask of the calling
/// thread, and Swift's cooperative (Dispatch) threads block almost every signal, SIGTERM included.
/// A worker started that way would ignore the SIGTERM that drains it. posix_spawn resets the mask
/// and the dispositions in the child.
enum WorkerProcessSpawner {
    /// Why a worker could not be started.
    struct SpawnFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// Spawns `executable` with `arguments` (without argv[0]) and exactly `environment`; stdin is
    /// /dev/null, stdout and stderr are appended to `log`. Returns the child's pid.
    static func spawn(executable: String, arguments: [String], environment: [String: String],
                      log: URL) throws(SpawnFailure) -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        // Its own process group: a Ctrl-C on the web tier's terminal reaches the web tier, which
        // then drains its workers with SIGTERM, instead of killing them all mid-job at once.
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Descriptors the web tier holds without close-on-exec (its listening socket, client
        // connections) must not leak into workers: a worker outliving the web tier would keep
        // the port bound.
        if let closeFrom = closeFromAction { _ = closeFrom(&actions, 3) }

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.sorted { $0.key < $1.key }
            .map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard status == 0 else {
            throw SpawnFailure(description: "posix_spawn \(executable): \(String(cString: strerror(status)))")
        }
        return pid
    }

    typealias CloseFromAction = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), looked up at run time: Swift's
    /// Glibc module does not export it (it is a GNU extension behind _GNU_SOURCE).
    static let closeFromAction: CloseFromAction? = {
        guard let handle = dlopen(nil, RTLD_NOW),
              let symbol = dlsym(handle, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: CloseFromAction.self)
    }()

    /// The exit status of `pid` (our child) if it has exited, reaping it; nil while it runs.
    /// A signal death is reported as 128 + the signal number, as shells do.
    static func reap(_ pid: pid_t) -> Int32? {
        var raw: Int32 = 0
        let result = waitpid(pid, &raw, WNOHANG)
        if result == pid { return decode(raw) }
        // ECHILD: not our child any more (reaped elsewhere); treat it as gone.
        if result == -1, errno == ECHILD { return -1 }
        return nil
    }

    static func decode(_ raw: Int32) -> Int32 {
        let signal = raw & 0x7f
        return signal == 0 ? (raw >> 8) & 0xff : 128 + signal
    }

    /// The `apptier` binary beside the running executable (the build directory, or the AMI's
    /// install directory), found through /proc/self/exe so a relative argv[0] does not matter.
    static func siblingExecutable(named name: String) -> URL {
        let running = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments.first ?? name
        return URL(fileURLWithPath: running).deletingLastPathComponent().appendingPathComponent(name)
    }
}
