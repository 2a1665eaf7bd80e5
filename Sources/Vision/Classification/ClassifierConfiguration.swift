/// Everything a `Classifier` needs: where the model, labels and ONNX Runtime are, how to run the
/// model, and the model's preprocessing contract.
public struct ClassifierConfiguration: Sendable {
    public var modelPath: String
    public var labelsPath: String
    /// `nil`: `ORT_LIBRARY_PATH`, then the project venv's onnxruntime wheel.
    public var onnxRuntimeLibrary: String?
    public var session: SessionOptions
    public var preprocessing: PreprocessingConfiguration
    public var decoding: DecodingOptions
    public var topK: Int
    /// Decode the images of a batch on several cores at once (results are the same either way).
    public var concurrentDecoding: Bool

    /// Defaults: the project's EfficientNet-Lite0 and ImageNet labels, found relative to the
    /// repository (or `ELASTIC_MODEL` / `ELASTIC_LABELS`).
    public init(modelPath: String = ProjectFiles.modelPath(), labelsPath: String = ProjectFiles.labelsPath(),
                onnxRuntimeLibrary: String? = nil, session: SessionOptions = SessionOptions(),
                preprocessing: PreprocessingConfiguration = PreprocessingConfiguration(),
                decoding: DecodingOptions = DecodingOptions(), topK: Int = 5, concurrentDecoding: Bool = true) {
        self.modelPath = modelPath
        self.labelsPath = labelsPath
        self.onnxRuntimeLibrary = onnxRuntimeLibrary
        self.session = session
        self.preprocessing = preprocessing
        self.decoding = decoding
        self.topK = topK
        self.concurrentDecoding = concurrentDecoding
    }
}
