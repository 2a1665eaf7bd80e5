import Foundation
import HTTPServer

/// A small real server for the WebSocket tests and benchmark (pytest, Chromium, scripts/bench-ws):
/// our HTTP server with WebSocket routes, on an ephemeral loopback port printed as
/// `LISTENING <port>` on stdout. Stops on SIGTERM/SIGINT or when stdin closes.
///
/// Routes: `/` test page · `/ws/echo` echo · `/ws/chat` broadcast to all chat members ·
/// `/ws/fanout` receive-only hub members · `/ws/fanout-control` each text message is broadcast to
/// the fanout hub · `/ws/flood` floods a client that does not read (backpressure) ·
/// `/ws/fastping` echo with 200 ms pings and a 400 ms pong timeout.
@main
struct WSTestServer {
    static func main() async throws {
        let options = Options(CommandLine.arguments.dropFirst())
        let routes = Routes(options: options)
        let server = Server(configuration: .init(listenAddresses: [.loopback(port: options.port)],
                                                 maxConnections: 4096),
                            handler: ClosureHandler { request in try await routes.handle(request) })
        let addresses = try server.start()
        // Unbuffered write: the parent test reads this line to learn the port.
        FileHandle.standardOutput.write(Data("LISTENING \(addresses[0].port)\n".utf8))
        await waitForStopSignal()
        await routes.closeAll()
        await server.stop()
    }

    /// Returns when stdin reaches EOF (the parent test died or closed it) or on SIGTERM/SIGINT.
    static func waitForStopSignal() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let once = StopOnce(continuation)
            signal(SIGTERM, SIG_IGN)
            signal(SIGINT, SIG_IGN)
            let queue = DispatchQueue(label: "stop")
            let sources = [SIGTERM, SIGINT].map { DispatchSource.makeSignalSource(signal: $0, queue: queue) }
            for source in sources {
                source.setEventHandler { once.fire() }
                source.resume()
            }
            Thread.detachNewThread {
                while readLine() != nil {}
                once.fire()
            }
            // Keep the sources alive until the process exits.
            once.keep(sources)
        }
    }
}

/// Resumes the stop continuation exactly once, from whichever trigger comes first.
final class StopOnce: @unchecked Sendable {
    // @unchecked: all state is guarded by `lock`.
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Void, Never>?
    private var retained: [any DispatchSourceSignal] = []
    init(_ continuation: CheckedContinuation<Void, Never>) { self.continuation = continuation }
    func keep(_ sources: [any DispatchSourceSignal]) { lock.withLock { retained = sources } }
    func fire() {
        let pending = lock.withLock { () -> CheckedContinuation<Void, Never>? in
            defer { continuation = nil }
            return continuation
        }
        pending?.resume()
    }
}

struct Options {
    var port: UInt16 = 0
    var maxMessageSize = 1 << 20
    var deflate = true
    var maxQueuedBytes = 1 << 20

    init(_ arguments: ArraySlice<String>) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--port": port = UInt16(iterator.next() ?? "") ?? 0
            case "--max-message": maxMessageSize = Int(iterator.next() ?? "") ?? maxMessageSize
            case "--max-queued": maxQueuedBytes = Int(iterator.next() ?? "") ?? maxQueuedBytes
            case "--no-deflate": deflate = false
            default: FileHandle.standardError.write(Data("WSTestServer: ignoring unknown argument \(argument)\n".utf8))
            }
        }
    }
}
