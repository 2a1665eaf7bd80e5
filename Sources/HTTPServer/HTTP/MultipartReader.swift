import Glibc

/// Limits for a multipart body; exceeding one fails with 413 naming the limit.
public struct MultipartLimits: Sendable {
    /// Largest single part.
    public var maxPartBytes: Int
    /// Largest sum of all parts' contents.
    public var maxTotalBytes: Int
    /// Most parts.
    public var maxParts: Int
    /// A part stays in memory up to this size, then moves to a temporary file.
    public var memoryThreshold: Int
    /// Where spooled parts go (created with `mkstemp`, removed when the part is released).
    public var spoolDirectory: String
    /// When set, a part past `memoryThreshold` stays in memory while this shared budget covers it,
    /// and is spooled only once it does not.
    public var memoryBudget: MultipartMemoryBudget?

    public init(maxPartBytes: Int = 20 << 20, maxTotalBytes: Int = 200 << 20, maxParts: Int = 1000,
                memoryThreshold: Int = 64 << 10, spoolDirectory: String = "/tmp",
                memoryBudget: MultipartMemoryBudget? = nil) {
        self.maxPartBytes = maxPartBytes
        self.maxTotalBytes = maxTotalBytes
        self.maxParts = maxParts
        self.memoryThreshold = memoryThreshold
        self.spoolDirectory = spoolDirectory
        self.memoryBudget = memoryBudget
    }
}

/// The parts of a `multipart/form-data` request body, yielded one by one as each completes while
/// the body is still arriving. Memory per upload stays near `memoryThreshold` plus one read.
///
/// ```swift
/// for try await part in try MultipartReader(request: request, limits: limits) {
///     let safeName = FileNameSanitizer().sanitize(part.filename ?? "upload")
///     ... part.contents ...   // then drop `part`: its temp file is removed
/// }
/// ```
public struct MultipartReader: AsyncSequence, Sendable {
    public typealias Element = MultipartPart
    let body: HTTPRequestBody
    let boundary: String
    let limits: MultipartLimits

    /// Throws `MultipartError.notMultipartFormData` (415) for other content types.
    public init(request: HTTPRequest, limits: MultipartLimits = MultipartLimits()) throws(MultipartError) {
        guard let contentType = request.headers["Content-Type"],
              let boundary = MultipartReader.boundary(fromContentType: contentType) else {
            throw .notMultipartFormData
        }
        try self.init(body: request.body, boundary: boundary, limits: limits)
    }

    public init(body: HTTPRequestBody, boundary: String, limits: MultipartLimits = MultipartLimits()) throws(MultipartError) {
        _ = try MultipartParser(boundary: boundary)
        self.body = body
        self.boundary = boundary
        self.limits = limits
    }

    /// The `boundary` parameter of a `multipart/form-data` content type.
    public static func boundary(fromContentType contentType: String) -> String? {
        let pieces = contentType.split(separator: ";")
        guard let type = pieces.first, type.trimmingOWS().caseInsensitiveEquals("multipart/form-data") else { return nil }
        for piece in pieces.dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingOWS().caseInsensitiveEquals("boundary") else { continue }
            var value = pair[1].trimmingOWS()
            if value.count >= 2, value.first == "\"", value.last == "\"" { value = value.dropFirst().dropLast() }
            return value.isEmpty ? nil : String(value)
        }
        return nil
    }

    public func makeAsyncIterator() -> Iterator {
        // The boundary was validated in init.
        Iterator(body: body.makeAsyncIterator(), parser: try! MultipartParser(boundary: boundary), limits: limits)
    }

    public struct Iterator: AsyncIteratorProtocol {
        var body: HTTPRequestBody.AsyncIterator
        var parser: MultipartParser
        let limits: MultipartLimits
        var partCount = 0
        var totalBytes = 0
        var current: PartBuilder?
        var bodyEnded = false

        init(body: HTTPRequestBody.AsyncIterator, parser: MultipartParser, limits: MultipartLimits) {
            self.body = body
            self.parser = parser
            self.limits = limits
        }

        public mutating func next() async throws -> MultipartPart? {
            while true {
                if let event = try parser.next() {
                    switch event {
                    case let .partBegin(head):
                        partCount += 1
                        guard partCount <= limits.maxParts else { throw MultipartError.tooManyParts(limit: limits.maxParts) }
                        current = PartBuilder(head: head)
                    case let .partData(bytes):
                        totalBytes += bytes.count
                        guard totalBytes <= limits.maxTotalBytes else { throw MultipartError.totalTooLarge(limit: limits.maxTotalBytes) }
                        let limits = self.limits
                        try current?.append(bytes, limits: limits)
                    case .partEnd:
                        if let builder = current {
                            current = nil
                            return builder.finish()
                        }
                    case .end:
                        continue
                    }
                    continue
                }
                if bodyEnded || parser.isComplete {
                    // After the closing delimiter, the rest of the body (epilogue) is drained unread.
                    while try await body.next() != nil {}
                    try parser.finish()
                    return nil
                }
                if let chunk = try await body.next() {
                    parser.append(chunk)
                } else {
                    bodyEnded = true
                }
            }
        }
    }
}

/// Collects one part: in memory while small (or while the memory budget covers it), then in a
/// temporary file.
struct PartBuilder {
    let head: MultipartPartHead
    /// The first bytes, up to `memoryThreshold`.
    var memory: [UInt8] = []
    /// The bytes past the threshold while the memory budget covers them, kept as they arrived and
    /// joined once at the end: growing one array instead copies each byte again on every
    /// reallocation and touches fresh pages each time.
    var pieces: [[UInt8]] = []
    var spool: SpoolFile?
    var size = 0
    /// The budget share of a part held in memory past `memoryThreshold`.
    var reservation: MultipartMemoryReservation?

    init(head: MultipartPartHead) { self.head = head }

    mutating func append(_ bytes: [UInt8], limits: MultipartLimits) throws {
        size += bytes.count
        guard size <= limits.maxPartBytes else { throw MultipartError.partTooLarge(limit: limits.maxPartBytes) }
        if spool == nil {
            if pieces.isEmpty && memory.count + bytes.count <= limits.memoryThreshold {
                memory += bytes
                return
            }
            if reserve(bytes.count, limits) {
                pieces.append(bytes)
                return
            }
            let file = try SpoolFile(directory: limits.spoolDirectory)
            try file.write(memory)
            for piece in pieces { try file.write(piece) }
            memory = []
            pieces = []
            reservation?.releaseAll()
            reservation = nil
            spool = file
        }
        try spool?.write(bytes)
    }

    /// Takes budget for `count` more bytes; the first time, also for what is already held.
    private mutating func reserve(_ count: Int, _ limits: MultipartLimits) -> Bool {
        guard let budget = limits.memoryBudget else { return false }
        if let reservation { return reservation.grow(by: count) }
        let first = MultipartMemoryReservation(budget: budget)
        guard first.grow(by: memory.count + count) else { return false }
        reservation = first
        return true
    }

    func finish() -> MultipartPart {
        if let spool {
            return MultipartPart(head: head, size: size, storage: .file(path: spool.release()))
        }
        guard !pieces.isEmpty else { return MultipartPart(head: head, size: size, storage: .memory(memory)) }
        var joined: [UInt8] = []
        joined.reserveCapacity(size)
        joined += memory
        for piece in pieces { joined += piece }
        return MultipartPart(head: head, size: size, storage: .memory(joined), reservation: reservation)
    }
}

/// A temporary file being written. Removed on deinit unless released to a `MultipartPart`, so an
/// upload abandoned mid-part (limit hit, client gone, consumer stopped) leaves nothing behind.
final class SpoolFile {
    private let fd: Int32
    let path: String
    private var released = false

    init(directory: String) throws {
        var template = Array("\(directory)/multipart-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw MultipartError.spoolFailed(errno: errno) }
        self.fd = fd
        self.path = String(cString: template)
    }

    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw MultipartError.spoolFailed(errno: errno)
            }
            offset += written
        }
    }

    /// Closes the file and hands its path over; the new owner removes it.
    func release() -> String {
        released = true
        return path
    }

    deinit {
        close(fd)
        if !released { unlink(path) }
    }
}
