import Synchronization

/// Supplies body bytes as a handler reads them. The server's connection is one; tests use
/// `HTTPRequestBody(chunks:)`.
public protocol HTTPBodySource: Sendable {
    /// The next piece of body, or nil at the end. Throws `HTTPDecodingError` for bad framing
    /// (the server then answers with its status) or `SocketError` if the peer went away.
    func nextBodyChunk() async throws -> [UInt8]?
}

/// A request body as an async sequence of byte chunks, pulled from the socket on demand: memory
/// stays bounded however large the upload, and an unread body costs nothing until read.
public struct HTTPRequestBody: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    let source: (any HTTPBodySource)?
    /// The length announced by Content-Length, if any.
    public let declaredLength: Int?

    public init(source: any HTTPBodySource, declaredLength: Int?) {
        self.source = source
        self.declaredLength = declaredLength
    }

    /// A body from fixed chunks (tests, internal forwarding).
    public init(chunks: [[UInt8]]) {
        self.source = BufferedBodySource(chunks: chunks)
        self.declaredLength = chunks.reduce(0) { $0 + $1.count }
    }

    public static let empty = HTTPRequestBody(chunks: [])

    public struct AsyncIterator: AsyncIteratorProtocol {
        let source: (any HTTPBodySource)?
        public mutating func next() async throws -> [UInt8]? {
            try await source?.nextBodyChunk()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(source: source) }

    /// Reads the whole body into memory, failing with `HTTPBodyTooLargeError` beyond `maxBytes`.
    public func collect(maxBytes: Int) async throws -> [UInt8] {
        if let declaredLength, declaredLength > maxBytes { throw HTTPBodyTooLargeError(limit: maxBytes) }
        var bytes: [UInt8] = []
        for try await chunk in self {
            guard bytes.count + chunk.count <= maxBytes else { throw HTTPBodyTooLargeError(limit: maxBytes) }
            bytes += chunk
        }
        return bytes
    }
}

/// A handler's own body limit was exceeded; the server answers 413 with the limit.
public struct HTTPBodyTooLargeError: Error, HTTPResponseError {
    public let limit: Int
    public var status: HTTPStatus { .contentTooLarge }
    public var message: String { "body larger than \(limit) bytes" }
}

/// An error that knows the response it should produce, so errors are mapped to statuses once.
public protocol HTTPResponseError: Error {
    var status: HTTPStatus { get }
    var message: String { get }
}

final class BufferedBodySource: HTTPBodySource {
    private let chunks: Mutex<[[UInt8]]>
    init(chunks: [[UInt8]]) { self.chunks = Mutex(chunks.filter { !$0.isEmpty }) }
    func nextBodyChunk() async throws -> [UInt8]? {
        chunks.withLock { $0.isEmpty ? nil : $0.removeFirst() }
    }
}
