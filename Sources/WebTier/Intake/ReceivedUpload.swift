import Glibc
import HTTPServer

/// An upload request read to its end and checked file by file, before anything is stored: the
/// files worth storing (each still in memory or its spool file) and the ones refused with why.
/// A request that breaks a request-wide limit never becomes one, so it stores nothing.
public struct ReceivedUpload: Sendable {
    public struct Candidate: Sendable {
        /// Position among the request's file parts, from 0.
        public let index: Int
        /// The name as the client sent it (untrusted; for messages only).
        public let clientName: String
        /// The sanitised name: the only name used in keys and results.
        public let safeName: String
        public let signature: ImageSignature
        public let part: MultipartPart
    }

    public var candidates: [Candidate] = []
    public var rejected: [RejectedFile] = []
    /// Bytes of the accepted files.
    public var acceptedBytes: Int { candidates.reduce(0) { $0 + $1.part.size } }

    /// Reads the multipart body of `request`, taking the parts of field `fieldName` as files and
    /// draining other fields. Throws `IntakeError` for request-wide problems.
    public static func read(_ request: HTTPRequest, fieldName: String, policy: IntakePolicy,
                            spoolDirectory: String = "/tmp",
                            memoryBudget: MultipartBudget? = nil,
                            spoolBudget: MultipartBudget? = nil) async throws(IntakeError) -> ReceivedUpload {
        if let declared = request.body.declaredLength, declared > policy.maxRequestBytes {
            throw .requestTooLarge(limit: policy.maxRequestBytes)
        }
        // Other fields (a page may add some) count against the part limit too, with a little slack.
        let limits = MultipartLimits(maxPartBytes: policy.maxFileBytes, maxTotalBytes: policy.maxRequestBytes,
                                     maxParts: policy.maxFilesPerRequest + 8, spoolDirectory: spoolDirectory,
                                     memoryBudget: memoryBudget, spoolBudget: spoolBudget)
        let reader: MultipartReader
        do {
            reader = try MultipartReader(request: request, limits: limits)
        } catch {
            throw IntakeError.from(error, limits: limits)
        }
        var upload = ReceivedUpload()
        var fileCount = 0
        let sanitizer = FileNameSanitizer(maxBytes: 128, fallback: "image")
        do {
            for try await part in reader {
                guard part.name == fieldName, part.filename != nil || part.size > 0 else { continue }
                let index = fileCount
                fileCount += 1
                guard fileCount <= policy.maxFilesPerRequest else { throw IntakeError.tooManyFiles(limit: policy.maxFilesPerRequest) }
                let clientName = part.filename ?? ""
                let safeName = sanitizer.sanitize(clientName)
                let leading = try leadingBytes(of: part)
                // The extension is judged on the sanitised name: the one that reaches storage.
                if let reason = IntakePolicy.nameRefusal(clientName) ?? policy.refusal(fileName: safeName, size: part.size, leadingBytes: leading) {
                    upload.rejected.append(RejectedFile(index: index, fileName: displayName(clientName), reason: reason))
                    continue
                }
                guard let signature = ImageSignature.detect(leading) else { continue }
                upload.candidates.append(Candidate(index: index, clientName: clientName, safeName: safeName,
                                                   signature: signature, part: part))
            }
        } catch let error as IntakeError {
            throw error
        } catch let error as MultipartError {
            throw IntakeError.from(error, limits: limits)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw .requestTooLarge(limit: policy.maxRequestBytes)
        } catch {
            throw .malformed("\(error)")
        }
        if fileCount == 0 { throw .missingField(fieldName) }
        return upload
    }

    /// The client's name made printable for a message (control characters shown as U+FFFD);
    /// never used for storage.
    static func displayName(_ name: String) -> String {
        var shown = ""
        for scalar in name.unicodeScalars.prefix(200) {
            let isControl = scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
            shown.unicodeScalars.append(isControl ? "\u{FFFD}" : scalar)
        }
        return shown
    }

    static func leadingBytes(of part: MultipartPart) throws(IntakeError) -> [UInt8] {
        switch part.storage {
        case let .memory(bytes):
            return Array(bytes.prefix(ImageSignature.prefixLength))
        case let .file(path):
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw .malformed("could not read a spooled part (errno \(errno))") }
            defer { close(fd) }
            var buffer = [UInt8](repeating: 0, count: ImageSignature.prefixLength)
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, ImageSignature.prefixLength) }
            return count > 0 ? Array(buffer.prefix(count)) : []
        }
    }
}
