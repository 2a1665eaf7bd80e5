/// The three files a classifier loads, found once at start-up by `ModelFileResolver` and handed
/// to the classifier as they are: the classifier itself never searches for anything.
public struct ModelFiles: Sendable, Equatable {
    /// The ONNX model.
    public var model: String
    /// The JSON array of class names, in the model's output order.
    public var labels: String
    /// `libonnxruntime.so`, loaded at run time.
    public var onnxRuntimeLibrary: String

    public init(model: String, labels: String, onnxRuntimeLibrary: String) {
        self.model = model
        self.labels = labels
        self.onnxRuntimeLibrary = onnxRuntimeLibrary
    }
}
