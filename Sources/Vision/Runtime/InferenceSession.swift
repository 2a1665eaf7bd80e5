import COnnxRuntime
import Foundation

/// How a session runs: threads and graph optimisation.
public struct SessionOptions: Sendable, Equatable {
    /// Graph optimisation levels, as ONNX Runtime numbers them.
    public enum GraphOptimization: Int32, Sendable {
        case disabled = 0, basic = 1, extended = 2, all = 99
    }

    /// Threads used inside one operator; 0 lets ONNX Runtime pick (one per core).
    public var intraOpThreads: Int
    public var graphOptimization: GraphOptimization
    /// Whether idle intra-op threads spin waiting for the next operator. Off by default: spinning
    /// threads burn the cores that decoding the next images needs (both run at once here), and
    /// on a 2-core machine with 2 intra-op threads they made `classify` slower than 1 thread.
    public var spinning: Bool

    public init(intraOpThreads: Int = 0, graphOptimization: GraphOptimization = .all, spinning: Bool = false) {
        self.intraOpThreads = intraOpThreads
        self.graphOptimization = graphOptimization
        self.spinning = spinning
    }
}

/// A model input or output: its name and shape (-1 for a dynamic dimension such as the batch).
public struct TensorInfo: Sendable, Equatable {
    public var name: String
    public var shape: [Int64]
}

/// A dense float32 tensor returned by a run.
public struct Tensor: Sendable, Equatable {
    public var shape: [Int]
    public var values: [Float]
}

/// One loaded model: a float32 tensor in, a float32 tensor out.
///
/// `@unchecked Sendable`: the stored properties are immutable after `init` (the name strings are
/// only read), and ONNX Runtime documents `Run` on one `OrtSession` as safe from several threads.
public final class InferenceSession: @unchecked Sendable {
    public let runtime: OnnxRuntime
    public let input: TensorInfo
    public let output: TensorInfo
    public let modelPath: String

    private let session: OpaquePointer
    private let inputName: UnsafeMutablePointer<CChar>
    private let outputName: UnsafeMutablePointer<CChar>

    public init(modelPath: String, runtime: OnnxRuntime, options: SessionOptions = SessionOptions()) throws(OnnxRuntimeError) {
        guard FileManager.default.isReadableFile(atPath: modelPath) else { throw .modelNotFound(path: modelPath) }
        let api = runtime.api
        var sessionOptions: OpaquePointer?
        try runtime.check(api.CreateSessionOptions(&sessionOptions), "CreateSessionOptions")
        defer { api.ReleaseSessionOptions(sessionOptions) }
        try runtime.check(api.SetIntraOpNumThreads(sessionOptions, Int32(options.intraOpThreads)), "SetIntraOpNumThreads")
        try runtime.check(api.AddSessionConfigEntry(sessionOptions, "session.intra_op.allow_spinning", options.spinning ? "1" : "0"),
                          "AddSessionConfigEntry(session.intra_op.allow_spinning)")
        try runtime.check(api.SetSessionGraphOptimizationLevel(
            sessionOptions, GraphOptimizationLevel(rawValue: UInt32(options.graphOptimization.rawValue))),
            "SetSessionGraphOptimizationLevel")
        var created: OpaquePointer?
        do {
            try runtime.check(api.CreateSession(runtime.env, modelPath, sessionOptions, &created), "CreateSession")
        } catch {
            if case .runtime(_, let code, _) = error, code == Int(ORT_NO_SUCHFILE.rawValue) {
                throw .modelNotFound(path: modelPath)
            }
            throw error
        }
        guard let session = created else { throw .runtime(operation: "CreateSession", code: -1, message: "no session") }
        do {
            let described = try Self.describe(session: session, runtime: runtime)
            self.input = described.input
            self.output = described.output
        } catch {
            api.ReleaseSession(session)
            throw error
        }
        self.runtime = runtime
        self.session = session
        self.modelPath = modelPath
        self.inputName = strdup(input.name)
        self.outputName = strdup(output.name)
    }

    deinit {
        runtime.api.ReleaseSession(session)
        free(inputName)
        free(outputName)
    }

    /// Runs the model on `values` laid out with `shape` (which must match the input's fixed
    /// dimensions) and returns the first output.
    public func run(_ values: UnsafeBufferPointer<Float>, shape: [Int64]) throws(OnnxRuntimeError) -> Tensor {
        try validate(shape: shape, count: values.count)
        let api = runtime.api
        var inputValue: OpaquePointer?
        try runtime.check(api.CreateTensorWithDataAsOrtValue(
            runtime.memoryInfo, UnsafeMutableRawPointer(mutating: values.baseAddress), values.count * MemoryLayout<Float>.stride,
            shape, shape.count, ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, &inputValue), "CreateTensorWithDataAsOrtValue")
        defer { api.ReleaseValue(inputValue) }
        var outputValue: OpaquePointer?
        var inputNames: [UnsafePointer<CChar>?] = [UnsafePointer(inputName)]
        var outputNames: [UnsafePointer<CChar>?] = [UnsafePointer(outputName)]
        var inputs: [OpaquePointer?] = [inputValue]
        try runtime.check(api.Run(session, nil, &inputNames, &inputs, 1, &outputNames, 1, &outputValue), "Run")
        defer { api.ReleaseValue(outputValue) }
        return try Self.copyTensor(outputValue, runtime: runtime)
    }

    /// Convenience for an array input.
    public func run(_ values: [Float], shape: [Int64]) throws(OnnxRuntimeError) -> Tensor {
        var result: Result<Tensor, OnnxRuntimeError>!
        values.withUnsafeBufferPointer { buffer in
            result = Result { () throws(OnnxRuntimeError) -> Tensor in try run(buffer, shape: shape) }
        }
        return try result.get()
    }

    private func validate(shape: [Int64], count: Int) throws(OnnxRuntimeError) {
        guard shape.count == input.shape.count else {
            throw .inputMismatch(reason: "rank \(shape.count), model input '\(input.name)' has shape \(input.shape)")
        }
        for (given, expected) in zip(shape, input.shape) where given <= 0 || (expected > 0 && given != expected) {
            throw .inputMismatch(reason: "shape \(shape), model input '\(input.name)' has shape \(input.shape)")
        }
        guard shape.reduce(1, *) == Int64(count) else {
            throw .inputMismatch(reason: "\(count) values for shape \(shape)")
        }
    }

    private static func copyTensor(_ value: OpaquePointer?, runtime: OnnxRuntime) throws(OnnxRuntimeError) -> Tensor {
        let api = runtime.api
        var info: OpaquePointer?
        try runtime.check(api.GetTensorTypeAndShape(value, &info), "GetTensorTypeAndShape")
        defer { api.ReleaseTensorTypeAndShapeInfo(info) }
        var elementType = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED
        try runtime.check(api.GetTensorElementType(info, &elementType), "GetTensorElementType")
        guard elementType == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT else {
            throw .unsupportedModel(reason: "output element type \(elementType.rawValue), expected float32")
        }
        let shape = try dimensions(info, runtime: runtime)
        var count = 0
        try runtime.check(api.GetTensorShapeElementCount(info, &count), "GetTensorShapeElementCount")
        var data: UnsafeMutableRawPointer?
        try runtime.check(api.GetTensorMutableData(value, &data), "GetTensorMutableData")
        guard let data else { return Tensor(shape: shape.map(Int.init), values: []) }
        let floats = UnsafeBufferPointer(start: data.assumingMemoryBound(to: Float.self), count: count)
        return Tensor(shape: shape.map(Int.init), values: Array(floats))
    }

    private static func dimensions(_ info: OpaquePointer?, runtime: OnnxRuntime) throws(OnnxRuntimeError) -> [Int64] {
        var rank = 0
        try runtime.check(runtime.api.GetDimensionsCount(info, &rank), "GetDimensionsCount")
        var shape = [Int64](repeating: 0, count: rank)
        try runtime.check(runtime.api.GetDimensions(info, &shape, rank), "GetDimensions")
        return shape
    }

    private static func describe(session: OpaquePointer, runtime: OnnxRuntime) throws(OnnxRuntimeError) -> (input: TensorInfo, output: TensorInfo) {
        let api = runtime.api
        var inputCount = 0, outputCount = 0
        try runtime.check(api.SessionGetInputCount(session, &inputCount), "SessionGetInputCount")
        try runtime.check(api.SessionGetOutputCount(session, &outputCount), "SessionGetOutputCount")
        guard inputCount == 1, outputCount >= 1 else {
            throw .unsupportedModel(reason: "\(inputCount) inputs and \(outputCount) outputs; one input and at least one output are supported")
        }
        var allocator: OpaquePointer?
        try runtime.check(api.GetAllocatorWithDefaultOptions(&allocator), "GetAllocatorWithDefaultOptions")

        func name(_ getter: (OpaquePointer?, Int, OpaquePointer?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> OpaquePointer?,
                  _ operation: String) throws(OnnxRuntimeError) -> String {
            var raw: UnsafeMutablePointer<CChar>?
            try runtime.check(getter(session, 0, allocator, &raw), operation)
            defer { _ = api.AllocatorFree(allocator, raw).map { api.ReleaseStatus($0) } }
            return raw.map { String(cString: $0) } ?? ""
        }
        func shape(_ getter: (OpaquePointer?, Int, UnsafeMutablePointer<OpaquePointer?>?) -> OpaquePointer?,
                   _ operation: String) throws(OnnxRuntimeError) -> [Int64] {
            var typeInfo: OpaquePointer?
            try runtime.check(getter(session, 0, &typeInfo), operation)
            defer { api.ReleaseTypeInfo(typeInfo) }
            var tensorInfo: OpaquePointer?
            try runtime.check(api.CastTypeInfoToTensorInfo(typeInfo, &tensorInfo), "CastTypeInfoToTensorInfo")
            guard tensorInfo != nil else { throw .unsupportedModel(reason: "\(operation): not a tensor") }
            var elementType = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED
            try runtime.check(api.GetTensorElementType(tensorInfo, &elementType), "GetTensorElementType")
            guard elementType == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT else {
                throw .unsupportedModel(reason: "\(operation): element type \(elementType.rawValue), expected float32")
            }
            return try dimensions(tensorInfo, runtime: runtime)
        }

        let input = TensorInfo(name: try name(api.SessionGetInputName, "SessionGetInputName"),
                               shape: try shape(api.SessionGetInputTypeInfo, "SessionGetInputTypeInfo"))
        let output = TensorInfo(name: try name(api.SessionGetOutputName, "SessionGetOutputName"),
                                shape: try shape(api.SessionGetOutputTypeInfo, "SessionGetOutputTypeInfo"))
        return (input, output)
    }
}
