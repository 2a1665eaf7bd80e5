import Foundation

/// How jobs, images and their objects are named. Keys come from generated ids plus the already
/// sanitised file name, never from the raw name a user sent.
public enum ObjectNaming {
    /// A random id: 16 bytes of the system RNG as 32 lowercase hex digits (URL- and key-safe).
    public static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        let hex = Array("0123456789abcdef".utf8)
        var bytes = [UInt8]()
        bytes.reserveCapacity(32)
        for _ in 0..<16 {
            let byte = UInt8.random(in: 0...255, using: &generator)
            bytes.append(hex[Int(byte >> 4)])
            bytes.append(hex[Int(byte & 0x0f)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The input object for one image: `uploads/<jobId>/<imageId>/<safeName>`.
    public static func inputKey(jobId: String, imageId: String, safeFileName: String) -> String {
        "\(inputPrefix(jobId: jobId))\(imageId)/\(safeFileName)"
    }

    /// Every input object of a job is under this prefix (listed to rebuild a job's images).
    public static func inputPrefix(jobId: String) -> String { "\(uploadsPrefix)\(jobId)/" }

    /// Every uploaded image is under this prefix of the input bucket; workers read nothing else.
    public static let uploadsPrefix = "uploads/"

    /// The JSON result for one image, listed by job prefix to rebuild a job's results.
    public static func resultKey(jobId: String, imageId: String) -> String {
        "\(resultPrefix(jobId: jobId))\(imageId).json"
    }

    public static func resultPrefix(jobId: String) -> String { "results/\(jobId)/" }

    /// Whether `id` looks like one of ours (guards route parameters before they reach S3 keys).
    public static func isValidID(_ id: String) -> Bool {
        id.utf8.count == 32 && id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}

/// The course-compatible naming: a reply names the file without its extension.
public enum CourseNaming {
    /// `test_93.JPEG` → `test_93`; a name without a dot (or only a leading dot) is kept whole.
    public static func stem(of fileName: String) -> String {
        guard let dot = fileName.lastIndex(of: "."), dot != fileName.startIndex else { return fileName }
        return String(fileName[..<dot])
    }
}
