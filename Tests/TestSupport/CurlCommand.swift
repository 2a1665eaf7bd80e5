import Foundation

/// Runs the curl command-line tool: a client independent of our own libcurl transport, for
/// checking what we hand to others (presigned URLs).
public enum CurlCommand {
    /// GETs `url` into `file` and returns the HTTP status.
    public static func fetch(_ url: URL, to file: URL) throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-sS", "--noproxy", "*", "-o", file.path, "-w", "%{http_code}", url.absoluteString]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let status = Int(String(decoding: output, as: UTF8.self)) else {
            throw LoopbackHTTP.Failure(description: "curl exited with \(process.terminationStatus): \(String(decoding: output, as: UTF8.self))")
        }
        return status
    }
}
