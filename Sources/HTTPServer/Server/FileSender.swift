import Glibc

/// Sends a file after a response head: small files in one write together with the head, larger
/// ones in 64 KiB pieces so memory stays flat.
enum FileSender {
    static let pieceSize = 64 * 1024

    static func send(path: String, size: Int, after head: [UInt8], over socket: AsyncSocket, timeout: Duration) async throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SocketError.lastError("open(\(path))") }
        defer { close(fd) }
        var pending = head
        var offset = 0
        while offset < size {
            let want = min(pieceSize, size - offset)
            let start = pending.count
            pending.append(contentsOf: repeatElement(0, count: want))
            let got = pending.withUnsafeMutableBytes { raw in
                pread(fd, raw.baseAddress! + start, want, off_t(offset))
            }
            // A file that shrank under us: stop, the connection must close (length was promised).
            guard got > 0 else { throw SocketError.lastError("pread(\(path))") }
            pending.removeLast(want - got)
            offset += got
            try await socket.write(pending, deadline: .now + timeout)
            pending.removeAll(keepingCapacity: true)
        }
        if !pending.isEmpty { try await socket.write(pending, deadline: .now + timeout) }
    }
}
