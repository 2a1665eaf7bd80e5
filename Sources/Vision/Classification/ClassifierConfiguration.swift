import Pipeline

/// Everything a `Classifier` needs: the files to load (resolved by the caller, never searched
/// for here), how to run the model, and the model's preprocessing contract.
public struct ClassifierConfiguration: Sendable {
    public var files: ModelFiles
    public var session: SessionOptions
    public var preprocessing: PreprocessingConfiguration
    public var decoding: DecodingOptions
    public var topK: Int
    /// Decode the images of a batch on several cores at once (results are the same either way).
    public var concurrentDecoding: Bool

    public init(files: ModelFiles, session: SessionOptions = SessionOptions(),
                preprocessing: PreprocessingConfiguration = PreprocessingConfiguration(),
                decoding: DecodingOptions = DecodingOptions(), topK: Int = 5, concurrentDecoding: Bool = true) {
        self.files = files
        self.session = session
        self.preprocessing = preprocessing
        self.decoding = decoding
        self.topK = topK
        self.concurrentDecoding = concurrentDecoding
    }
}
