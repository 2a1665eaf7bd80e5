import Glibc

/// Turns bytes, split anywhere, into request events: a head, body pieces, an end; then the next
/// pipelined request. Pure (no socket), so every hostile input is testable as a table.
///
/// The rules are strict where leniency lets two parsers disagree about where a request ends
/// (RFC 9112 §11.2, request smuggling): CRLF only, no obsolete folding, no whitespace before the
/// colon, Content-Length xor chunked, identical Content-Length duplicates only, hex chunk sizes that
/// cannot overflow. After an error the decoder stays failed: the connection must close.
public struct HTTPRequestDecoder: Sendable {
    /// Size limits; each names the status it produces.
    public struct Limits: Sendable, Equatable {
        /// Longest request line (method, target, version) → 414.
        public var maxRequestLineBytes = 8 * 1024
        /// Largest header section, all lines together → 431.
        public var maxHeaderSectionBytes = 64 * 1024
        /// Most header fields → 431.
        public var maxHeaderFields = 100
        /// Largest body, by Content-Length or the sum of chunks → 413.
        public var maxBodyBytes = 1 << 30
        /// Longest chunk extension text on one chunk-size line → 400.
        public var maxChunkExtensionBytes = 256
        /// POST/PUT/PATCH without Content-Length or chunked → 411.
        public var requireLengthForBodyMethods = true

        public init() {}
    }

    /// One step of a request.
    public enum Event: Sendable, Equatable {
        case head(HTTPRequestHead)
        case body([UInt8])
        case end
    }

    private enum State: Sendable {
        case requestLine(blankLinesSkipped: Int)
        case headers(PartialHead)
        case endOfMessage
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers(bytes: Int, fields: Int)
        case failed(HTTPDecodingError)
    }

    private struct PartialHead: Sendable {
        var method: HTTPMethod
        var target: String
        var version: HTTPVersion
        var headers = HTTPHeaders()
        var headerBytes = 0
    }

    public var limits: Limits
    private var state: State = .requestLine(blankLinesSkipped: 0)
    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var scanIndex = 0
    private var chunkedBodyBytes = 0

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Adds received bytes. When everything before was consumed (the usual case inside a large
    /// body) the array is adopted rather than copied, and `next()` hands a body read whole back
    /// out the same way: each body byte is then copied by no one between socket and handler.
    public mutating func append(_ bytes: [UInt8]) {
        guard readIndex == buffer.count else { return append(contentsOf: bytes) }
        buffer = bytes
        readIndex = 0
        scanIndex = 0
    }

    /// Adds received bytes.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        append(contentsOf: bytes)
    }

    private mutating func append(contentsOf bytes: some Collection<UInt8>) {
        if readIndex > 0 && (readIndex == buffer.count || readIndex >= 4096) {
            buffer.removeSubrange(0..<readIndex)
            scanIndex -= readIndex
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Bytes received but not yet consumed.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// True between the first byte of a request and its end (used to tell a keep-alive idle
    /// timeout, which closes quietly, from a slow request, which gets 408).
    public var isInsideRequest: Bool {
        if case .requestLine = state { return bufferedByteCount > 0 }
        return true
    }

    /// True while a body is being received.
    public var isInsideBody: Bool {
        switch state {
        case .fixedBody, .chunkSize, .chunkData, .chunkDataEnd, .trailers: return true
        default: return false
        }
    }

    /// Hands over the unconsumed bytes (e.g. the first WebSocket frames after an upgrade request).
    public mutating func takeUnconsumedBytes() -> [UInt8] {
        let rest = Array(buffer[readIndex...])
        buffer.removeAll(keepingCapacity: false)
        readIndex = 0
        scanIndex = 0
        return rest
    }

    /// The next event, or nil when more bytes are needed.
    public mutating func next() throws(HTTPDecodingError) -> Event? {
        do throws(HTTPDecodingError) {
            return try step()
        } catch {
            state = .failed(error)
            throw error
        }
    }

    private mutating func step() throws(HTTPDecodingError) -> Event? {
        while true {
            switch state {
            case let .failed(error):
                throw error

            case let .requestLine(blankLinesSkipped):
                guard let line = try nextLine(limit: limits.maxRequestLineBytes,
                                              tooLong: .requestLineTooLong(limit: limits.maxRequestLineBytes)) else { return nil }
                if line.isEmpty {
                    // RFC 9112 §2.2: ignore at least one empty line before a request; a stream of
                    // them is not a request.
                    guard blankLinesSkipped < 4 else { throw .malformedRequestLine }
                    state = .requestLine(blankLinesSkipped: blankLinesSkipped + 1)
                    continue
                }
                var partial = try parseRequestLine(line)
                if let head = try readHeaderLines(into: &partial) { return .head(head) }
                state = .headers(partial)
                return nil

            case var .headers(partial):
                // Let go of the state's copy first: `partial`'s fields are then appended to in
                // place rather than copied whole for every line.
                state = .endOfMessage
                if let head = try readHeaderLines(into: &partial) { return .head(head) }
                state = .headers(partial)
                return nil

            case .endOfMessage:
                state = .requestLine(blankLinesSkipped: 0)
                return .end

            case let .fixedBody(remaining):
                guard let piece = takeBody(upTo: remaining) else { return nil }
                state = remaining == piece.count ? .endOfMessage : .fixedBody(remaining: remaining - piece.count)
                return .body(piece)

            case .chunkSize:
                let lineLimit = 16 + 2 + limits.maxChunkExtensionBytes
                guard let line = try nextLine(limit: lineLimit,
                                              tooLong: .chunkExtensionTooLong(limit: limits.maxChunkExtensionBytes)) else { return nil }
                let size = try parseChunkSize(line)
                if size == 0 {
                    state = .trailers(bytes: 0, fields: 0)
                    continue
                }
                guard chunkedBodyBytes <= limits.maxBodyBytes - size else {
                    throw .bodyTooLarge(limit: limits.maxBodyBytes)
                }
                chunkedBodyBytes += size
                state = .chunkData(remaining: size)

            case let .chunkData(remaining):
                guard let piece = takeBody(upTo: remaining) else { return nil }
                state = remaining == piece.count ? .chunkDataEnd : .chunkData(remaining: remaining - piece.count)
                return .body(piece)

            case .chunkDataEnd:
                guard bufferedByteCount >= 2 else {
                    if bufferedByteCount == 1 && buffer[readIndex] != 0x0D { throw .invalidChunkTerminator }
                    return nil
                }
                guard buffer[readIndex] == 0x0D && buffer[readIndex + 1] == 0x0A else { throw .invalidChunkTerminator }
                readIndex += 2
                scanIndex = readIndex
                state = .chunkSize

            case let .trailers(bytes, fields):
                let budget = limits.maxHeaderSectionBytes - bytes
                guard let line = try nextLine(limit: max(budget, 0),
                                              tooLong: .headerSectionTooLarge(limit: limits.maxHeaderSectionBytes)) else { return nil }
                if line.isEmpty {
                    state = .endOfMessage
                    continue
                }
                guard fields < limits.maxHeaderFields else { throw .tooManyHeaderFields(limit: limits.maxHeaderFields) }
                _ = try parseHeaderLine(line) // validated, then dropped: trailers never override headers
                state = .trailers(bytes: bytes + line.count + 2, fields: fields + 1)
            }
        }
    }

    /// Reads header lines into `partial` until the blank line, then completes the head and
    /// moves to its body; nil when the bytes run out first (the caller keeps `partial`). One
    /// loop over the lines, with the head in a local: the state enum is not rebuilt per line.
    private mutating func readHeaderLines(into partial: inout PartialHead) throws(HTTPDecodingError) -> HTTPRequestHead? {
        while true {
            let budget = limits.maxHeaderSectionBytes - partial.headerBytes
            guard let line = try nextLine(limit: max(budget, 0),
                                          tooLong: .headerSectionTooLarge(limit: limits.maxHeaderSectionBytes)) else { return nil }
            if line.isEmpty {
                let head = try completeHead(partial)
                switch head.framing {
                case .none, .contentLength(0): state = .endOfMessage
                case let .contentLength(length): state = .fixedBody(remaining: length)
                case .chunked:
                    chunkedBodyBytes = 0
                    state = .chunkSize
                }
                return head
            }
            partial.headerBytes += line.count + 2
            guard partial.headers.count < limits.maxHeaderFields else {
                throw .tooManyHeaderFields(limit: limits.maxHeaderFields)
            }
            let (name, value) = try parseHeaderLine(line)
            partial.headers.append(name, value)
        }
    }

    // MARK: Lines

    /// The next CRLF-terminated line without its CRLF, or nil if incomplete. A line (or a partial
    /// line) longer than `limit` throws `tooLong`; an LF without CR throws `bareLineFeed`.
    private mutating func nextLine(limit: Int, tooLong: HTTPDecodingError) throws(HTTPDecodingError) -> ArraySlice<UInt8>? {
        let start = max(scanIndex, readIndex)
        let found: Int? = buffer.withUnsafeBytes { raw in
            guard start < raw.count, let base = raw.baseAddress else { return nil }
            guard let hit = memchr(base + start, 0x0A, raw.count - start) else { return nil }
            return base.distance(to: UnsafeRawPointer(hit))
        }
        guard let lineFeed = found else {
            scanIndex = buffer.count
            // Allow for the CR of a CRLF still to come.
            if buffer.count - readIndex > limit + 1 { throw tooLong }
            return nil
        }
        guard lineFeed > readIndex, buffer[lineFeed - 1] == 0x0D else { throw .bareLineFeed }
        let line = buffer[readIndex..<(lineFeed - 1)]
        if line.count > limit { throw tooLong }
        readIndex = lineFeed + 1
        scanIndex = readIndex
        return line
    }

    private mutating func takeBody(upTo remaining: Int) -> [UInt8]? {
        let count = min(remaining, bufferedByteCount)
        guard count > 0 else { return nil }
        if readIndex == 0 && count == buffer.count {
            // The whole buffer is body: hand the array over instead of copying it out.
            let piece = buffer
            buffer = []
            scanIndex = 0
            return piece
        }
        let piece = Array(buffer[readIndex..<(readIndex + count)])
        readIndex += count
        scanIndex = readIndex
        return piece
    }

    // MARK: Request line and fields

    private func parseRequestLine(_ line: ArraySlice<UInt8>) throws(HTTPDecodingError) -> PartialHead {
        // Exactly two spaces: method SP target SP version.
        guard let firstSpace = line.firstIndex(of: 0x20),
              let secondSpace = line[(firstSpace + 1)...].firstIndex(of: 0x20),
              !line[(secondSpace + 1)...].contains(0x20) else { throw .malformedRequestLine }
        let methodBytes = line[line.startIndex..<firstSpace]
        let targetBytes = line[(firstSpace + 1)..<secondSpace]
        let versionBytes = line[(secondSpace + 1)...]

        let version = try parseVersion(versionBytes)
        guard !methodBytes.isEmpty, methodBytes.allSatisfy(HTTPGrammar.isTokenByte) else { throw .invalidMethod }
        let method = HTTPMethod(String(decoding: methodBytes, as: UTF8.self))
        guard method.isImplemented else { throw .unsupportedMethod(method.rawValue) }
        guard let first = targetBytes.first, targetBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw .invalidTarget }
        let isAsterisk = targetBytes.count == 1 && first == UInt8(ascii: "*") && method == .options
        guard first == UInt8(ascii: "/") || isAsterisk else { throw .invalidTarget }
        return PartialHead(method: method, target: String(decoding: targetBytes, as: UTF8.self), version: version)
    }

    private func parseVersion(_ bytes: ArraySlice<UInt8>) throws(HTTPDecodingError) -> HTTPVersion {
        let at = bytes.startIndex
        guard bytes.count == 8, Self.startsWithHTTPSlash(bytes), bytes[at + 6] == UInt8(ascii: "."),
              HTTPGrammar.isDigit(bytes[at + 5]), HTTPGrammar.isDigit(bytes[at + 7]) else { throw .malformedRequestLine }
        let version = HTTPVersion(major: Int(bytes[at + 5] - 0x30), minor: Int(bytes[at + 7] - 0x30))
        guard version.major == 1 else { throw .unsupportedVersion(version.description) }
        return version
    }

    /// Compared with a static buffer, not a string's UTF-8 view (a form check per byte).
    private static func startsWithHTTPSlash(_ bytes: ArraySlice<UInt8>) -> Bool {
        let prefix: StaticString = "HTTP/"
        return prefix.withUTF8Buffer { bytes.starts(with: $0) }
    }

    private func parseHeaderLine(_ line: ArraySlice<UInt8>) throws(HTTPDecodingError) -> (String, String) {
        guard let first = line.first else { throw .invalidHeaderName }
        if first == 0x20 || first == 0x09 { throw .obsoleteLineFolding }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw .invalidHeaderName }
        let nameBytes = line[line.startIndex..<colon]
        guard let last = nameBytes.last else { throw .invalidHeaderName }
        if last == 0x20 || last == 0x09 { throw .whitespaceBeforeColon }
        guard nameBytes.allSatisfy(HTTPGrammar.isTokenByte) else { throw .invalidHeaderName }
        var valueBytes = line[(colon + 1)...]
        while let byte = valueBytes.first, byte == 0x20 || byte == 0x09 { valueBytes.removeFirst() }
        while let byte = valueBytes.last, byte == 0x20 || byte == 0x09 { valueBytes.removeLast() }
        let name = String(decoding: nameBytes, as: UTF8.self)
        guard valueBytes.allSatisfy(HTTPGrammar.isFieldValueByte) else { throw .invalidHeaderValue(name: name) }
        return (name, String(decoding: valueBytes, as: UTF8.self))
    }

    // MARK: Framing

    private func completeHead(_ partial: PartialHead) throws(HTTPDecodingError) -> HTTPRequestHead {
        let headers = partial.headers
        // One pass over the fields; the arrays stay empty (unallocated) for a bodiless request.
        var hostCount = 0
        var transferEncodings: [String] = []
        var contentLengths: [String] = []
        for (name, value) in headers {
            if name.caseInsensitiveEquals("Host") {
                hostCount += 1
            } else if name.caseInsensitiveEquals("Transfer-Encoding") {
                transferEncodings.append(value)
            } else if name.caseInsensitiveEquals("Content-Length") {
                contentLengths.append(value)
            }
        }
        if hostCount > 1 { throw .multipleHosts }
        if hostCount == 0 && partial.version.minor >= 1 { throw .missingHost }

        var framing = HTTPRequestHead.BodyFraming.none
        if !transferEncodings.isEmpty {
            // RFC 9112 §6.1: HTTP/1.0 has no transfer codings, so its framing is faulty; we
            // refuse it rather than guess where the body ends (a proxy may disagree: smuggling).
            guard partial.version.minor >= 1 else { throw .transferEncodingInHTTP10 }
            guard contentLengths.isEmpty else { throw .contentLengthWithTransferEncoding }
            let codings = transferEncodings.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
                .map { $0.trimmingOWS().lowercased() }
            guard codings == ["chunked"] else {
                throw .unsupportedTransferEncoding(transferEncodings.joined(separator: ", "))
            }
            framing = .chunked
        } else if !contentLengths.isEmpty {
            var length: Int? = nil
            for element in contentLengths.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false) }) {
                let digits = element.trimmingOWS().utf8
                guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy(HTTPGrammar.isDigit) else {
                    throw .invalidContentLength
                }
                let value = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
                if let length, length != value { throw .conflictingContentLength }
                length = value
            }
            let bodyLength = length ?? 0
            guard bodyLength <= limits.maxBodyBytes else { throw .bodyTooLarge(limit: limits.maxBodyBytes) }
            framing = .contentLength(bodyLength)
        } else if partial.method.expectsBody && limits.requireLengthForBodyMethods {
            throw .lengthRequired
        }
        let expectsContinue = partial.version.minor >= 1 && headers.hasToken("100-continue", in: "Expect")
        return HTTPRequestHead(method: partial.method, target: partial.target, version: partial.version,
                               headers: headers, framing: framing, expectsContinue: expectsContinue)
    }

    private func parseChunkSize(_ line: ArraySlice<UInt8>) throws(HTTPDecodingError) -> Int {
        var index = line.startIndex
        var size = 0
        var significantDigits = 0
        while index < line.endIndex, let digit = HTTPGrammar.hexValue(line[index]) {
            if significantDigits > 0 || digit != 0 { significantDigits += 1 }
            // 15 hex digits stay far below Int.max, so the sum below cannot overflow.
            guard significantDigits <= 15 else { throw .invalidChunkSize }
            size = size << 4 | digit
            index += 1
        }
        guard index > line.startIndex else { throw .invalidChunkSize }
        let extensions = line[index...]
        guard !extensions.isEmpty else { return size }
        guard extensions.count <= limits.maxChunkExtensionBytes else {
            throw .chunkExtensionTooLong(limit: limits.maxChunkExtensionBytes)
        }
        // chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] ): only whitespace may precede the ';'.
        guard let semicolon = extensions.firstIndex(of: UInt8(ascii: ";")),
              extensions[..<semicolon].allSatisfy({ $0 == 0x20 || $0 == 0x09 }),
              extensions.allSatisfy(HTTPGrammar.isFieldValueByte) else { throw .invalidChunkSize }
        return size
    }
}
