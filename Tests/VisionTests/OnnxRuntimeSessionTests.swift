import Foundation
import Testing
import TestSupport
@testable import Vision

/// The binding against the real ONNX Runtime (the venv's wheel) and a tiny real model made by the
/// `onnx` package at test time: scores = features @ W + b.
@Suite struct OnnxRuntimeSessionTests {
    /// The fixed weights of make_tiny_model.py, to compute the expected output independently.
    static let weights: [[Float]] = (0..<4).map { row in (0..<3).map { column in Float(row * 3 + column) / 10 - 0.5 } }
    static let bias: [Float] = [0.25, -1.0, 2.0]

    static func expected(_ features: [Float]) -> [Float] {
        (0..<3).map { column in (0..<4).reduce(bias[column]) { $0 + features[$1] * weights[$1][column] } }
    }

    static func session(threads: Int = 1) throws -> InferenceSession {
        let path = try PythonFixtures.tinyModel.get()
        return try InferenceSession(modelPath: path, runtime: try OnnxRuntime(libraryPath: TestPaths.onnxRuntimeLibrary), options: SessionOptions(intraOpThreads: threads))
    }

    @Test func discoversInputAndOutputNamesAndShapes() throws {
        let session = try Self.session()
        #expect(session.input == TensorInfo(name: "features", shape: [-1, 4]))
        #expect(session.output == TensorInfo(name: "scores", shape: [-1, 3]))
        #expect(session.runtime.version.split(separator: ".").count == 3)
    }

    @Test func runComputesTheModel() throws {
        let session = try Self.session()
        let features: [Float] = [1, -2, 0.5, 3]
        let output = try session.run(features, shape: [1, 4])
        #expect(output.shape == [1, 3])
        for (got, want) in zip(output.values, Self.expected(features)) { #expect(abs(got - want) < 1e-5) }
    }

    /// The spinning switch goes through AddSessionConfigEntry (slot 130), called for every
    /// session: a wrong slot would call some other entry point here and fail or crash. (ONNX
    /// Runtime accepts any key, so the key's spelling is checked by the benchmark's CPU figures,
    /// not here.) Either setting computes the same model.
    @Test(arguments: [false, true])
    func spinningOnOrOffComputesTheModel(spinning: Bool) throws {
        let path = try PythonFixtures.tinyModel.get()
        let session = try InferenceSession(modelPath: path, runtime: try OnnxRuntime(libraryPath: TestPaths.onnxRuntimeLibrary),
                                           options: SessionOptions(intraOpThreads: 2, spinning: spinning))
        let features: [Float] = [0.5, 1, -1, 2]
        let output = try session.run(features, shape: [1, 4])
        for (got, want) in zip(output.values, Self.expected(features)) { #expect(abs(got - want) < 1e-5) }
    }

    @Test(arguments: [1, 3, 8])
    func batchOfNEqualsNSingleRuns(batch: Int) throws {
        let session = try Self.session()
        let rows = (0..<batch).map { item in (0..<4).map { Float(item * 4 + $0) * 0.37 - 2 } }
        let batched = try session.run(rows.flatMap { $0 }, shape: [Int64(batch), 4])
        #expect(batched.shape == [batch, 3])
        for (item, row) in rows.enumerated() {
            let single = try session.run(row, shape: [1, 4])
            #expect(Array(batched.values[(item * 3)..<(item * 3 + 3)]) == single.values)
        }
    }

    @Test func runFromSeveralThreadsAtOnceGivesTheSameAnswers() async throws {
        let session = try Self.session(threads: 1)
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for step in 0..<50 {
                        let features = (0..<4).map { Float(worker * 100 + step + $0) / 7 }
                        let output = try session.run(features, shape: [1, 4])
                        let want = Self.expected(features)
                        if zip(output.values, want).contains(where: { abs($0 - $1) > 1e-4 * max(1, abs($1)) }) { return false }
                    }
                    return true
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results == Array(repeating: true, count: 8))
    }

    @Test func wrongInputShapeIsATypedError() throws {
        let session = try Self.session()
        #expect(throws: OnnxRuntimeError.self) { try session.run([1, 2, 3], shape: [1, 3]) }
        #expect(throws: OnnxRuntimeError.self) { try session.run([1, 2, 3, 4], shape: [2, 4]) }
    }

    @Test func missingModelFileIsATypedError() throws {
        let runtime = try OnnxRuntime(libraryPath: TestPaths.onnxRuntimeLibrary)
        #expect(throws: OnnxRuntimeError.modelNotFound(path: "/nonexistent/model.onnx")) {
            try InferenceSession(modelPath: "/nonexistent/model.onnx", runtime: runtime)
        }
    }

    @Test func garbageModelFileIsARuntimeError() throws {
        let path = try PythonFixtures.temporaryDirectory("garbage").appendingPathComponent("garbage.onnx")
        try Data("not a protobuf".utf8).write(to: path)
        do {
            _ = try InferenceSession(modelPath: path.path, runtime: try OnnxRuntime(libraryPath: TestPaths.onnxRuntimeLibrary))
            Issue.record("a garbage model loaded")
        } catch OnnxRuntimeError.runtime(let operation, _, let message) {
            #expect(operation == "CreateSession")
            #expect(!message.isEmpty)
        }
    }

    @Test func wrongLibraryPathIsATypedError() {
        do {
            _ = try OnnxRuntime(libraryPath: "/nonexistent/libonnxruntime.so.1")
            Issue.record("loaded a library that does not exist")
        } catch OnnxRuntimeError.libraryLoadFailed(let path, let reason) {
            #expect(path == "/nonexistent/libonnxruntime.so.1")
            #expect(reason.contains("dlopen"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func aLibraryWithoutTheEntryPointIsATypedError() throws {
        // libz is a real shared library, but not ONNX Runtime.
        let candidates = ["/usr/lib/x86_64-linux-gnu/libz.so.1", "/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/aarch64-linux-gnu/libz.so.1"]
        guard let path = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            try Test.cancel("no libz.so.1 at \(candidates)")
        }
        #expect(throws: OnnxRuntimeError.self) { try OnnxRuntime(libraryPath: path) }
        do { _ = try OnnxRuntime(libraryPath: path) } catch {
            guard case .libraryLoadFailed(_, let reason) = error else { Issue.record("unexpected \(error)"); return }
            #expect(reason.contains("OrtGetApiBase"))
        }
    }

    @Test func anAPIVersionTheLibraryLacksIsReportedAsTooOld() throws {
        do {
            _ = try OnnxRuntime(libraryPath: TestPaths.onnxRuntimeLibrary, apiVersion: 10_000)
            Issue.record("API version 10000 accepted")
        } catch OnnxRuntimeError.libraryTooOld(_, let version, let required) {
            #expect(required == 10_000)
            #expect(version.first?.isNumber == true)
        }
    }
}
