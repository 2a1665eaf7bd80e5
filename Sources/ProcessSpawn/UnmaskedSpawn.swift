import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starts child processes with posix_spawn, with an empty signal mask and default signal
/// dispositions, and reaps them. Used by the web tier's local fleet and by the tests' servers.
///
/// Why not `Foundation.Process`: on Linux it hands the child the signal mask of the calling
/// thread, and Swift's cooperative (Dispatch) threads block almost every signal, SIGTERM included.
/// A child started that way ignores `kill -TERM` forever (seen with moto: SigBlk
/// fffffffe3bfbea27 in /proc/PID/status), so a worker could not be drained.
public enum UnmaskedSpawn {
    /// Why a process could not be started.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Spawns `executable` with `arguments` (argv[0] is the executable's path) and exactly
    /// `environment`; stdin is /dev/null, stdout and stderr are appended to `log`. Descriptors
    /// this process holds without close-on-exec (listening sockets, client connections) are not
    /// inherited: a child outliving us would otherwise keep our port bound. With
    /// `newProcessGroup`, a Ctrl-C on our terminal reaches only us (the web tier then drains its
    /// workers with SIGTERM instead of their all dying mid-job). Returns the child's pid.
    public static func spawn(executable: String, arguments: [String], environment: [String: String], log: URL,
                             newProcessGroup: Bool = false) throws(Failure) -> pid_t {
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
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if newProcessGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
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
            throw Failure(description: "posix_spawn \(executable): \(String(cString: strerror(status)))")
        }
        return pid
    }

    private typealias CloseFromAction = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), looked up at run time: Swift's
    /// Glibc module does not export it (it is a GNU extension behind _GNU_SOURCE).
    private static let closeFromAction: CloseFromAction? = {
        guard let handle = dlopen(nil, RTLD_NOW),
              let symbol = dlsym(handle, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: CloseFromAction.self)
    }()

    /// The exit status of `pid` (our child) if it has exited, reaping it; nil while it runs.
    /// A signal death is reported as 128 + the signal number, as shells do; a pid that is no
    /// longer our child (reaped elsewhere) as -1.
    public static func reap(_ pid: pid_t) -> Int32? {
        var raw: Int32 = 0
        let result = waitpid(pid, &raw, WNOHANG)
        if result == pid { return exitStatus(raw) }
        if result == -1, errno == ECHILD { return -1 }
        return nil
    }

    /// A `waitpid` status as a shell reports it.
    public static func exitStatus(_ raw: Int32) -> Int32 {
        let signal = raw & 0x7f
        return signal == 0 ? (raw >> 8) & 0xff : 128 + signal
    }
}
