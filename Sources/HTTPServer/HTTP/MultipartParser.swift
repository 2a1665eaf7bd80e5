import Glibc

/// An incremental `multipart/form-data` parser (RFC 7578 over RFC 2046 §5.1): bytes in, split
/// anywhere, part events out. Pure; `MultipartReader` puts it on a request body.
///
/// Data is released as soon as it cannot be the start of a delimiter, so a part of any size
/// passes through with at most one delimiter's length held back.
public struct MultipartParser: Sendable {
    public enum Event: Sendable, Equatable {
        case partBegin(MultipartPartHead)
        case partData([UInt8])
        case partEnd
        /// The closing delimiter was seen; anything after it (the epilogue) is ignored.
        case end
    }

    private enum State: Sendable {
        case preamble
        case afterDelimiter
        case headers(HTTPHeaders, bytes: Int)
        case data
        case epilogue
        case finished
    }

    /// `CRLF--boundary`: every delimiter, the first included (the buffer starts with a CRLF).
    private let delimiter: [UInt8]
    private let maxHeaderBytes: Int
    private var state: State = .preamble
    private var buffer: [UInt8] = [0x0D, 0x0A]
    private var readIndex = 0
    /// Where the search for a header line's CRLF resumes, so a line fed byte by byte is scanned once.
    private var scanIndex = 0

    /// `boundary` comes from the Content-Type; 1–70 characters (RFC 2046 §5.1.1).
    public init(boundary: String, maxHeaderBytes: Int = 16 * 1024) throws(MultipartError) {
        guard (1...70).contains(boundary.utf8.count),
              boundary.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F || $0 == 0x20 }),
              boundary.utf8.last != 0x20 else { throw .invalidBoundary }
        delimiter = [0x0D, 0x0A, 0x2D, 0x2D] + Array(boundary.utf8)
        self.maxHeaderBytes = maxHeaderBytes
    }

    public mutating func append(_ bytes: some Collection<UInt8>) {
        if readIndex > 0 && (readIndex == buffer.count || readIndex >= 16 * 1024) {
            buffer.removeSubrange(0..<readIndex)
            scanIndex = max(0, scanIndex - readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// True once the closing delimiter was parsed.
    public var isComplete: Bool {
        switch state {
        case .epilogue, .finished: return true
        default: return false
        }
    }

    /// The next event, or nil when more bytes are needed.
    public mutating func next() throws(MultipartError) -> Event? {
        while true {
            switch state {
            case .preamble:
                if let found = findDelimiter() {
                    readIndex = found + delimiter.count
                    state = .afterDelimiter
                    continue
                }
                // Drop preamble bytes that cannot begin a delimiter.
                readIndex = max(readIndex, buffer.count - (delimiter.count - 1))
                return nil

            case .afterDelimiter:
                // Transport padding (SP/HTAB) may follow a delimiter, then CRLF or "--".
                while readIndex < buffer.count, buffer[readIndex] == 0x20 || buffer[readIndex] == 0x09 { readIndex += 1 }
                guard buffer.count - readIndex >= 2 else { return nil }
                let pair = (buffer[readIndex], buffer[readIndex + 1])
                readIndex += 2
                if pair == (0x2D, 0x2D) {
                    state = .epilogue
                    return .end
                }
                guard pair == (0x0D, 0x0A) else { throw .malformed("delimiter not followed by CRLF") }
                state = .headers(HTTPHeaders(), bytes: 0)

            case let .headers(headers, bytes):
                guard let lineEnd = findCRLF() else {
                    if buffer.count - readIndex + bytes > maxHeaderBytes { throw .partHeadersTooLarge(limit: maxHeaderBytes) }
                    return nil
                }
                let line = buffer[readIndex..<lineEnd]
                readIndex = lineEnd + 2
                let total = bytes + line.count + 2
                guard total <= maxHeaderBytes else { throw .partHeadersTooLarge(limit: maxHeaderBytes) }
                if line.isEmpty {
                    state = .data
                    return .partBegin(try MultipartPartHead(headers: headers))
                }
                guard let colon = line.firstIndex(of: UInt8(ascii: ":")),
                      colon > line.startIndex, line[line.startIndex..<colon].allSatisfy(HTTPGrammar.isTokenByte),
                      line.allSatisfy({ HTTPGrammar.isFieldValueByte($0) }) else {
                    throw .malformed("invalid part header line")
                }
                var updated = headers
                updated.append(String(decoding: line[..<colon], as: UTF8.self),
                               String(String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingOWS()))
                guard updated.count <= 32 else { throw .malformed("more than 32 part header fields") }
                state = .headers(updated, bytes: total)

            case .data:
                if let found = findDelimiter() {
                    if found > readIndex {
                        let piece = Array(buffer[readIndex..<found])
                        readIndex = found
                        return .partData(piece)
                    }
                    readIndex = found + delimiter.count
                    state = .afterDelimiter
                    return .partEnd
                }
                let safeEnd = buffer.count - (delimiter.count - 1)
                guard safeEnd > readIndex else { return nil }
                let piece = Array(buffer[readIndex..<safeEnd])
                readIndex = safeEnd
                return .partData(piece)

            case .epilogue:
                readIndex = buffer.count
                return nil

            case .finished:
                return nil
            }
        }
    }

    /// Call when the body has ended; throws `truncated` unless the closing delimiter was seen.
    public mutating func finish() throws(MultipartError) {
        guard isComplete else { throw .truncated }
        state = .finished
    }

    /// The index of the next complete delimiter at or after `readIndex`: memchr for its CR, then
    /// memcmp for the rest, so large parts are scanned at memory speed.
    private func findDelimiter() -> Int? {
        let count = delimiter.count
        return buffer.withUnsafeBytes { raw -> Int? in
            guard let base = raw.baseAddress else { return nil }
            return delimiter.withUnsafeBytes { pattern -> Int? in
                var index = readIndex
                while index + count <= raw.count {
                    guard let hit = memchr(base + index, 0x0D, raw.count - index) else { return nil }
                    let position = base.distance(to: UnsafeRawPointer(hit))
                    if position + count > raw.count { return nil }
                    if memcmp(base + position, pattern.baseAddress!, count) == 0 { return position }
                    index = position + 1
                }
                return nil
            }
        }
    }

    private mutating func findCRLF() -> Int? {
        var index = max(readIndex, scanIndex)
        while index + 1 < buffer.count {
            if buffer[index] == 0x0D && buffer[index + 1] == 0x0A {
                scanIndex = index + 2
                return index
            }
            index += 1
        }
        scanIndex = max(readIndex, buffer.count - 1)
        return nil
    }
}
