import CZlib
import Dispatch
import Glibc
import HTTPServer
import Logging
import Synchronization

/// Serves the routes the Python tests and the HTTP benchmark exercise, on an ephemeral port by
/// default. Prints `LISTENING <port>` once bound; stops gracefully on SIGTERM/SIGINT.
///
/// Options: `--port N` (0), `--host H` (127.0.0.1; repeatable, e.g. `--host ::1`), `--root DIR`
/// (static files under /static/), `--max-connections N`, `--header-timeout-ms N`,
/// `--body-timeout-ms N`, `--keepalive-timeout-ms N`, `--max-body N`, `--log-level L`,
/// `--max-connections-per-address N`, `--body-grace-ms N`, `--body-min-rate N` (bytes/s),
/// `--open-file-limit N` (lowers RLIMIT_NOFILE, soft and hard, before starting: for the tests of
/// descriptor exhaustion, which must not lower the test runner's own limit), `--event-loops N`
/// (default: one per core).
@main
struct TestServer {
    static func main() async throws {
        let options = Options(CommandLine.arguments.dropFirst())
        var logger = Logger(label: "HTTPTestServer")
        logger.logLevel = options.logLevel

        var configuration = HTTPServerConfiguration(
            listenAddresses: try options.hosts.map { try SocketAddress(host: $0, port: options.port) })
        configuration.maxConnections = options.maxConnections
        configuration.maxConnectionsPerAddress = options.maxConnectionsPerAddress
        configuration.bodyReadGracePeriod = .milliseconds(options.bodyGraceMilliseconds)
        configuration.bodyMinimumBytesPerSecond = options.bodyMinimumRate
        configuration.headerReadTimeout = .milliseconds(options.headerTimeoutMilliseconds)
        configuration.bodyIdleTimeout = .milliseconds(options.bodyTimeoutMilliseconds)
        configuration.keepAliveTimeout = .milliseconds(options.keepAliveTimeoutMilliseconds)
        configuration.limits.maxBodyBytes = options.maxBodyBytes
        configuration.shutdownGracePeriod = .seconds(5)
        configuration.eventLoopCount = options.eventLoops

        if let openFileLimit = options.openFileLimit {
            var limit = rlimit(rlim_cur: rlim_t(openFileLimit), rlim_max: rlim_t(openFileLimit))
            guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
                writeLine("error: cannot set RLIMIT_NOFILE to \(openFileLimit)", to: 2)
                exit(2)
            }
        }
        let server = Server(configuration: configuration, handler: makeRouter(options), logger: logger)
        let addresses: [SocketAddress]
        do {
            addresses = try server.start()
        } catch {
            writeLine("error: \(error)", to: 2)
            exit(1)
        }
        writeLine("LISTENING \(addresses[0].port)", to: 1)
        await waitForTerminationSignal()
        await server.stop()
    }

    static func makeRouter(_ options: Options) -> HTTPRouter {
        var router = HTTPRouter()
        // 200 bytes: the benchmark's "small dynamic response".
        let dynamicBody = Array(String(repeating: "0123456789", count: 20).utf8)
        router.add(.get, "/dynamic") { _ in HTTPResponse(contentType: "text/plain", body: dynamicBody) }
        router.add(.get, "/hello") { request in
            .text("hello \(request.queryParameter("name") ?? "world")\n")
        }
        router.add(.get, "/jobs/:id") { request in .text("job \(request.routeParameters["id"] ?? "")\n") }
        router.add(.delete, "/jobs/:id") { request in .text("deleted \(request.routeParameters["id"] ?? "")\n") }
        router.add(.post, "/echo") { request in
            let body = try await request.body.collect(maxBytes: 64 << 20)
            return HTTPResponse(contentType: request.headers["Content-Type"] ?? "application/octet-stream", body: body)
        }
        // Counts the body without keeping it: shows large uploads stream.
        router.add(.post, "/count") { request in
            var total = 0
            var checksum: UInt = crc32(0, nil, 0)
            for try await chunk in request.body {
                total += chunk.count
                checksum = chunk.withUnsafeBufferPointer { crc32(checksum, $0.baseAddress, uInt($0.count)) }
            }
            return .json(Array("{\"bytes\":\(total),\"crc32\":\(checksum)}".utf8))
        }
        router.add(.post, "/upload") { request in
            var limits = MultipartLimits(maxPartBytes: 8 << 20, maxTotalBytes: 64 << 20, maxParts: 200)
            if let value = request.queryParameter("maxPart").flatMap(Int.init) { limits.maxPartBytes = value }
            if let value = request.queryParameter("maxParts").flatMap(Int.init) { limits.maxParts = value }
            var entries: [String] = []
            let sanitizer = FileNameSanitizer()
            for try await part in try MultipartReader(request: request, limits: limits) {
                var checksum: UInt = crc32(0, nil, 0)
                try part.forEachChunk(ofSize: 64 * 1024) { chunk in
                    checksum = chunk.withUnsafeBufferPointer { crc32(checksum, $0.baseAddress, uInt($0.count)) }
                }
                let spooled: Bool = if case .file = part.storage { true } else { false }
                entries.append("{\"name\":\(jsonString(part.name)),\"filename\":\(part.filename.map(jsonString) ?? "null"),"
                    + "\"safeName\":\(part.filename.map { jsonString(sanitizer.sanitize($0)) } ?? "null"),"
                    + "\"contentType\":\(jsonString(part.contentType)),\"size\":\(part.size),\"crc32\":\(checksum),"
                    + "\"spooled\":\(spooled)}")
            }
            return .json(Array("[\(entries.joined(separator: ","))]".utf8))
        }
        router.add(.get, "/stream") { request in
            let count = request.queryParameter("chunks").flatMap(Int.init) ?? 10
            return HTTPResponse(headers: ["Content-Type": "text/plain"], body: .stream { writer in
                for index in 0..<count { try await writer.write(Array("chunk \(index)\n".utf8)) }
            })
        }
        router.add(.get, "/slow") { request in
            let milliseconds = request.queryParameter("ms").flatMap(Int.init) ?? 500
            try await Task.sleep(for: .milliseconds(milliseconds))
            return .text("slept \(milliseconds) ms\n")
        }
        router.add(.get, "/fail") { _ in throw TestFailure() }
        // Take every free descriptor (as spool files and upstream sockets would), and give them
        // back: the descriptor-exhaustion tests drive the server out of descriptors with these.
        let held = HeldDescriptors()
        router.add(.post, "/descriptors/hold") { _ in .text("\(held.takeAll())\n") }
        router.add(.post, "/descriptors/release") { _ in .text("\(held.releaseAll())\n") }
        if let root = options.root, let files = StaticDirectoryHandler(root: root, mountPath: "/static") {
            router.add(.get, "/static/*", files)
        }
        return router
    }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Suspends until SIGTERM or SIGINT.
    static func waitForTerminationSignal() async {
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let queue = DispatchQueue(label: "signals")
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let once = SignalLatch(continuation: continuation)
            for number in [SIGTERM, SIGINT] {
                let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                source.setEventHandler { @Sendable in once.fire() }
                source.resume()
                once.keep(source)
            }
        }
    }
}

struct TestFailure: Error {}

/// Descriptors opened on /dev/null until the process has none left.
final class HeldDescriptors: Sendable {
    private let descriptors = Mutex<[Int32]>([])

    /// Opens descriptors until `open` fails; returns how many this call took.
    func takeAll() -> Int {
        descriptors.withLock { descriptors in
            let before = descriptors.count
            while case let fd = open("/dev/null", O_RDONLY | O_CLOEXEC), fd >= 0 { descriptors.append(fd) }
            return descriptors.count - before
        }
    }

    func releaseAll() -> Int {
        descriptors.withLock { descriptors in
            descriptors.forEach { _ = close($0) }
            defer { descriptors = [] }
            return descriptors.count
        }
    }
}

/// Resumes the waiting task on the first signal only; keeps the signal sources alive.
final class SignalLatch: Sendable {
    private let state: Mutex<(continuation: CheckedContinuation<Void, Never>?, sources: [any DispatchSourceSignal])>
    init(continuation: CheckedContinuation<Void, Never>) { state = Mutex((continuation, [])) }
    func keep(_ source: any DispatchSourceSignal) { state.withLock { $0.sources.append(source) } }
    func fire() {
        let continuation = state.withLock { state in
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume()
    }
}

struct Options {
    var port: UInt16 = 0
    var hosts: [String] = []
    var root: String?
    var maxConnections = 2048
    var headerTimeoutMilliseconds = 10_000
    var bodyTimeoutMilliseconds = 30_000
    var keepAliveTimeoutMilliseconds = 30_000
    var maxBodyBytes = 1 << 30
    var maxConnectionsPerAddress: Int?
    var bodyGraceMilliseconds = 30_000
    var bodyMinimumRate = 10_000
    var openFileLimit: Int?
    var eventLoops: Int?
    var logLevel = Logger.Level.warning

    init(_ arguments: ArraySlice<String>) {
        var iterator = arguments.makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next() ?? ""
            switch flag {
            case "--port": port = UInt16(value) ?? 0
            case "--host": hosts.append(value)
            case "--root": root = value
            case "--max-connections": maxConnections = Int(value) ?? maxConnections
            case "--header-timeout-ms": headerTimeoutMilliseconds = Int(value) ?? headerTimeoutMilliseconds
            case "--body-timeout-ms": bodyTimeoutMilliseconds = Int(value) ?? bodyTimeoutMilliseconds
            case "--keepalive-timeout-ms": keepAliveTimeoutMilliseconds = Int(value) ?? keepAliveTimeoutMilliseconds
            case "--max-body": maxBodyBytes = Int(value) ?? maxBodyBytes
            case "--max-connections-per-address": maxConnectionsPerAddress = Int(value)
            case "--body-grace-ms": bodyGraceMilliseconds = Int(value) ?? bodyGraceMilliseconds
            case "--body-min-rate": bodyMinimumRate = Int(value) ?? bodyMinimumRate
            case "--open-file-limit": openFileLimit = Int(value)
            case "--event-loops": eventLoops = Int(value)
            case "--log-level": logLevel = Logger.Level(rawValue: value) ?? logLevel
            default: writeLine("unknown option \(flag)", to: 2)
            }
        }
        if hosts.isEmpty { hosts = ["127.0.0.1"] }
    }
}

/// Unbuffered, so the parent process sees the line at once.
func writeLine(_ text: String, to fd: Int32) {
    let bytes = Array((text + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
}
