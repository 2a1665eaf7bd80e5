import Foundation
import TestSupport

/// Runs Benchmarks/aws_boto_reference.py in the project's venv and decodes its JSON line.
enum ReferenceProcess {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static var script: URL { TestPaths.repositoryRoot.appendingPathComponent("Benchmarks/aws_boto_reference.py") }

    static func run<Result: Decodable>(_ arguments: [String], as type: Result.Type) throws -> Result {
        let process = Process()
        process.executableURL = TestPaths.python
        process.arguments = [script.path] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        environment["AWS_ACCESS_KEY_ID"] = "testing"
        environment["AWS_SECRET_ACCESS_KEY"] = "testing"
        process.environment = environment
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("awsbench-\(UUID().uuidString).json")
        let errors = output.appendingPathExtension("err")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: output)
            try? FileManager.default.removeItem(at: errors)
        }
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(script.lastPathComponent) \(arguments.first ?? "") failed:\n"
                          + ((try? String(contentsOf: errors, encoding: .utf8)) ?? ""))
        }
        return try JSONDecoder().decode(Result.self, from: Data(contentsOf: output))
    }
}
