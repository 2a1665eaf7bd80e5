import CCurl
import Foundation

/// The state of one transfer, reached from libcurl's C callbacks through their user-data
/// pointer. It lives on the Dispatch thread that runs `curl_easy_perform` and nowhere else.
final class CurlTransfer {
    // Request body: kept as given (bytes or Data), never copied.
    private let bodyBytes: [UInt8]
    private let bodyData: Data?
    private var bodyOffset = 0
    private let bodyFile: Int32
    let bodyLength: Int64

    // Response.
    private(set) var status = 0
    private(set) var headers = AWSHeaders()
    private(set) var body: [UInt8] = []
    /// The download target; the body goes to `partialFile` and is renamed on success.
    let downloadTo: URL?
    private var partialFile: Int32 = -1
    private(set) var partialURL: URL?
    private(set) var wroteToFile = false
    /// Why a callback stopped the transfer (read/write failures), for the error message.
    private(set) var callbackFailure: String?
    let cancellation: CancellationFlag

    init(body: AWSRequestBody, downloadTo: URL?, cancellation: CancellationFlag) throws(AWSTransportError) {
        self.downloadTo = downloadTo
        self.cancellation = cancellation
        switch body {
        case .empty:
            bodyBytes = []
            bodyData = nil
            bodyFile = -1
            bodyLength = 0
        case .bytes(let bytes):
            bodyBytes = bytes
            bodyData = nil
            bodyFile = -1
            bodyLength = Int64(bytes.count)
        case .data(let data):
            bodyBytes = []
            bodyData = data
            bodyFile = -1
            bodyLength = Int64(data.count)
        case .file(let url):
            let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
            var info = stat()
            guard descriptor >= 0, fstat(descriptor, &info) == 0 else {
                let reason = String(cString: strerror(errno))
                if descriptor >= 0 { close(descriptor) }
                throw AWSTransportError(kind: .file, message: "cannot open request body file \(url.path): \(reason)", url: "")
            }
            bodyBytes = []
            bodyData = nil
            bodyFile = descriptor
            bodyLength = Int64(info.st_size)
        }
    }

    deinit {
        if bodyFile >= 0 { close(bodyFile) }
        discardPartialFile()
    }

    // MARK: Callbacks (called by libcurl on the performing thread)

    func readBody(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        if bodyFile >= 0 {
            let count = read(bodyFile, buffer, capacity)
            if count < 0 {
                callbackFailure = "reading the request body file failed: \(String(cString: strerror(errno)))"
                return Int(CURL_READFUNC_ABORT)
            }
            return count
        }
        let count = min(capacity, Int(bodyLength) - bodyOffset)
        if count > 0 {
            let offset = bodyOffset
            func copy(_ source: UnsafeRawBufferPointer) {
                UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + offset, byteCount: count)
            }
            if let bodyData { bodyData.withUnsafeBytes(copy) } else { bodyBytes.withUnsafeBytes(copy) }
            bodyOffset += count
        }
        return count
    }

    /// libcurl rewinds the body when it must resend it (e.g. a reused connection that the
    /// server had closed); both sources support it.
    func seekBody(to offset: Int64) -> Bool {
        guard offset >= 0, offset <= bodyLength else { return false }
        if bodyFile >= 0 { return lseek(bodyFile, off_t(offset), SEEK_SET) == off_t(offset) }
        bodyOffset = Int(offset)
        return true
    }

    /// Parsed as bytes: this runs for every header of every response, and Foundation's
    /// `trimmingCharacters` (through NSString) cost more than the rest of the response handling.
    func receiveHeaderLine(_ line: UnsafeBufferPointer<UInt8>) {
        var end = line.count
        while end > 0, line[end - 1] == 0x0A || line[end - 1] == 0x0D { end -= 1 }
        let bytes = UnsafeBufferPointer(rebasing: line[0..<end])
        if bytes.starts(with: Self.statusLinePrefix) {
            // A new status line (after "100 Continue", possibly twice from moto) starts a
            // fresh header block. "HTTP/1.1 200 OK": the code is the second word.
            let words = bytes.split(separator: 0x20, maxSplits: 2, omittingEmptySubsequences: true)
            status = words.count > 1 ? Int(String(decoding: words[1], as: UTF8.self)) ?? 0 : 0
            headers = AWSHeaders()
        } else if let colon = bytes.firstIndex(of: 0x3A) {
            // RFC 9110 §5.5: optional whitespace (SP / HTAB) around the value is not part of it.
            func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
            var valueStart = colon + 1
            var valueEnd = bytes.count
            while valueStart < valueEnd, isWhitespace(bytes[valueStart]) { valueStart += 1 }
            while valueEnd > valueStart, isWhitespace(bytes[valueEnd - 1]) { valueEnd -= 1 }
            headers.add(name: String(decoding: UnsafeBufferPointer(rebasing: bytes[..<colon]), as: UTF8.self),
                        value: String(decoding: UnsafeBufferPointer(rebasing: bytes[valueStart..<valueEnd]), as: UTF8.self))
        }
    }

    private static let statusLinePrefix: [UInt8] = Array("HTTP/".utf8)

    func receiveBody(_ chunk: UnsafeBufferPointer<UInt8>) -> Bool {
        // Only a successful body goes to the download file; an error body is kept in memory
        // for the error decoder.
        guard let downloadTo, (200...299).contains(status) else {
            body.append(contentsOf: chunk)
            return true
        }
        if partialFile < 0 {
            let partial = downloadTo.deletingLastPathComponent()
                .appendingPathComponent(".\(downloadTo.lastPathComponent).partial-\(UUID().uuidString)")
            partialFile = open(partial.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard partialFile >= 0 else {
                callbackFailure = "cannot create download file in \(partial.deletingLastPathComponent().path): \(String(cString: strerror(errno)))"
                return false
            }
            partialURL = partial
        }
        var offset = 0
        while offset < chunk.count {
            let written = write(partialFile, chunk.baseAddress! + offset, chunk.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                callbackFailure = "writing the download file failed: \(String(cString: strerror(errno)))"
                return false
            }
            offset += written
        }
        return true
    }

    // MARK: Download completion

    /// Moves a completed download into place (an empty 2xx body still creates the file).
    func finishDownload() throws(AWSTransportError) {
        guard let downloadTo, (200...299).contains(status) else { return }
        if partialFile < 0 {
            let descriptor = open(downloadTo.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw AWSTransportError(kind: .file, message: "cannot create download file \(downloadTo.path): \(String(cString: strerror(errno)))", url: "")
            }
            close(descriptor)
            wroteToFile = true
            return
        }
        let closed = close(partialFile)
        partialFile = -1
        guard closed == 0, let partialURL, rename(partialURL.path, downloadTo.path) == 0 else {
            let reason = String(cString: strerror(errno))
            discardPartialFile()
            throw AWSTransportError(kind: .file, message: "cannot move the download into \(downloadTo.path): \(reason)", url: "")
        }
        self.partialURL = nil
        wroteToFile = true
    }

    func discardPartialFile() {
        if partialFile >= 0 { close(partialFile); partialFile = -1 }
        if let partialURL { unlink(partialURL.path); self.partialURL = nil }
    }
}

/// Set when the awaiting Swift task is cancelled; the progress callback aborts the transfer.
///
/// `@unchecked Sendable`: the flag is only read and written under `lock`.
final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false

    var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    func cancel() {
        lock.lock()
        cancelled = true
        lock.unlock()
    }
}
