import Glibc

/// One complete form-data part, held in memory or in a temporary file that is deleted when the
/// part is released.
public final class MultipartPart: Sendable {
    public enum Storage: Sendable, Equatable {
        case memory([UInt8])
        case file(path: String)
    }

    public let head: MultipartPartHead
    /// Content size in bytes.
    public let size: Int
    public let storage: Storage
    /// Held (not read) so that the part's share of the memory or spool budget returns when the part goes.
    private let reservation: MultipartReservation?

    init(head: MultipartPartHead, size: Int, storage: Storage, reservation: MultipartReservation? = nil) {
        self.head = head
        self.size = size
        self.storage = storage
        self.reservation = reservation
    }

    deinit {
        if case let .file(path) = storage { unlink(path) }
    }

    /// The form field name.
    public var name: String { head.name }
    /// The client's file name, raw and untrusted (see `FileNameSanitizer`).
    public var filename: String? { head.filename }
    public var contentType: String { head.contentType }

    /// The whole content (reads the spool file if there is one).
    public func contents() throws -> [UInt8] {
        switch storage {
        case let .memory(bytes): return bytes
        case .file:
            var bytes: [UInt8] = []
            bytes.reserveCapacity(size)
            try forEachChunk(ofSize: 64 * 1024) { bytes += $0 }
            return bytes
        }
    }

    /// Streams the content in pieces (for forwarding a large part without loading it).
    public func forEachChunk(ofSize chunkSize: Int, _ body: ([UInt8]) throws -> Void) throws {
        switch storage {
        case let .memory(bytes):
            var offset = 0
            while offset < bytes.count {
                try body(Array(bytes[offset..<min(offset + chunkSize, bytes.count)]))
                offset += chunkSize
            }
        case let .file(path):
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw MultipartError.spoolFailed(errno: errno) }
            defer { close(fd) }
            var chunk = [UInt8](repeating: 0, count: chunkSize)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, chunkSize) }
                if count < 0 && errno == EINTR { continue }
                guard count >= 0 else { throw MultipartError.spoolFailed(errno: errno) }
                if count == 0 { break }
                try body(Array(chunk[0..<count]))
            }
        }
    }
}
