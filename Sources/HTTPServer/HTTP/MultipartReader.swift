import Glibc

/// Limits for a multipart body; exceeding one fails with 413 naming the limit.
public struct MultipartLimits: Sendable {
    /// Largest single part.
    public var maxPartBytes: Int
    /// Largest sum of all parts' contents.
    public var maxTotalBytes: Int
    /// Most parts.
    public var maxParts: Int
    /// Without a `memoryBudget`, a part stays in memory up to this size, then moves to a temporary file.
    public var memoryThreshold: Int
    /// Where spooled parts go (created with `mkstemp`, removed when the part is released).
    public var spoolDirectory: String
    /// When set, every byte a part holds in memory counts against this shared budget, small parts
    /// included, and a part moves to a spool file as soon as the budget cannot cover its next
    /// bytes (`memoryThreshold` is then unused): many uploads at once, or many small parts held
    /// by stalled uploads, cannot grow memory past it.
    public var memoryBudget: MultipartBudget?
    /// When set, the bytes in spool files count against this shared budget; a part that would
    /// break it fails the upload with `MultipartError.spoolFull` (503) instead of filling the disk.
    public var spoolBudget: MultipartBudget?

    public init(maxPartBytes: Int = 20 << 20, maxTotalBytes: Int = 200 << 20, maxParts: Int = 1000,
                memoryThreshold: Int = 64 << 10, spoolDirectory: String = "/tmp",
                memoryBudget: MultipartBudget? = nil, spoolBudget: MultipartBudget? = nil) {
        self.maxPartBytes = maxPartBytes
        self.maxTotalBytes = maxTotalBytes
        self.maxParts = maxParts
        self.memoryThreshold = memoryThreshold
        self.spoolDirectory = spoolDirectory
        self.memoryBudget = memoryBudget
        self.spoolBudget = spoolBudget
    }
}

/// The parts of a `multipart/form-data` request body, yielded one by one as each completes while
/// the body is still arriving. Memory per upload stays near `memoryThreshold` plus one read, or
/// within the shared `memoryBudget` when there is one.
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
                        if var builder = current {
                            current = nil
                            return try builder.finish(limits: limits)
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
    /// The bytes held in memory, kept as they arrived and joined once at the end: growing one
    /// array instead copies each byte again on every reallocation and touches fresh pages each time.
    var pieces: [[UInt8]] = []
    var heldBytes = 0
    var spool: SpoolFile?
    var size = 0
    /// The memory budget's share for `pieces`.
    var reservation: MultipartReservation?

    init(head: MultipartPartHead) { self.head = head }

    mutating func append(_ bytes: [UInt8], limits: MultipartLimits) throws {
        size += bytes.count
        guard size <= limits.maxPartBytes else { throw MultipartError.partTooLarge(limit: limits.maxPartBytes) }
        if spool == nil {
            if mayHold(bytes.count, limits) {
                pieces.append(bytes)
                heldBytes += bytes.count
                return
            }
            try spill(limits)
        }
        try spool?.write(bytes)
    }

    /// Whether `count` more bytes may stay in memory (taking them from the budget when there is one).
    private mutating func mayHold(_ count: Int, _ limits: MultipartLimits) -> Bool {
        guard let budget = limits.memoryBudget else { return heldBytes + count <= limits.memoryThreshold }
        let reservation = self.reservation ?? MultipartReservation(budget: budget)
        self.reservation = reservation
        return reservation.grow(by: count)
    }

    /// Moves what is held in memory to a new spool file, and gives its memory share back.
    private mutating func spill(_ limits: MultipartLimits) throws {
        let file = try SpoolFile(directory: limits.spoolDirectory, budget: limits.spoolBudget)
        for piece in pieces { try file.write(piece) }
        pieces = []
        heldBytes = 0
        reservation?.releaseAll()
        reservation = nil
        spool = file
    }

    mutating func finish(limits: MultipartLimits) throws -> MultipartPart {
        if pieces.count > 1 {
            // Joining copies the part once more: the copy is budgeted too, or the part is spooled.
            if let reservation, !reservation.grow(by: heldBytes) {
                try spill(limits)
            } else {
                var joined: [UInt8] = []
                joined.reserveCapacity(heldBytes)
                for piece in pieces { joined += piece }
                pieces = [joined]
                reservation?.shrink(by: heldBytes)
            }
        }
        if let spool {
            return MultipartPart(head: head, size: size, storage: .file(path: spool.release()), reservation: spool.reservation)
        }
        return MultipartPart(head: head, size: size, storage: .memory(pieces.first ?? []), reservation: reservation)
    }
}

/// A temporary file being written, its bytes counted against the spool budget when there is one.
/// Removed on deinit unless released to a `MultipartPart`, so an upload abandoned mid-part (limit
/// hit, client gone, consumer stopped) leaves nothing behind.
final class SpoolFile {
    private let fd: Int32
    let path: String
    /// The spool budget's share for this file's bytes; the `MultipartPart` holds it once released.
    let reservation: MultipartReservation?
    private var released = false

    init(directory: String, budget: MultipartBudget?) throws {
        var template = Array("\(directory)/multipart-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw MultipartError.spoolFailed(errno: errno) }
        self.fd = fd
        self.path = String(cString: template)
        self.reservation = budget.map(MultipartReservation.init(budget:))
    }

    func write(_ bytes: [UInt8]) throws {
        if let reservation, !reservation.grow(by: bytes.count) {
            throw MultipartError.spoolFull(limit: reservation.budget.capacity)
        }
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
