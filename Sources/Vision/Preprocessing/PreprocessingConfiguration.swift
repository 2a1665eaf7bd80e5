/// The model's input contract: torchvision's `Resize(resizeShorterSide)` (antialiased bilinear,
/// as Pillow does it) + `CenterCrop(cropSize)` + `ToTensor()` + `Normalize(mean, std)`.
public struct PreprocessingConfiguration: Sendable, Equatable {
    /// Memory order of the float tensor handed to the model.
    public enum Layout: String, Sendable, Equatable {
        /// Channels, then rows, then columns (PyTorch and ONNX convention).
        case nchw
        /// Rows, then columns, then channels (TensorFlow convention).
        case nhwc
    }

    public var resizeShorterSide: Int
    public var cropSize: Int
    /// Per-channel (R, G, B) mean and standard deviation on the 0...1 scale.
    public var mean: [Float]
    public var std: [Float]
    public var layout: Layout

    /// ImageNet defaults: 256 -> 224, torchvision's mean and std, NCHW.
    public init(resizeShorterSide: Int = 256, cropSize: Int = 224,
                mean: [Float] = [0.485, 0.456, 0.406], std: [Float] = [0.229, 0.224, 0.225],
                layout: Layout = .nchw) {
        self.resizeShorterSide = resizeShorterSide
        self.cropSize = cropSize
        self.mean = mean
        self.std = std
        self.layout = layout
    }

    /// Floats per image in the model input.
    public var valuesPerImage: Int { 3 * cropSize * cropSize }

    /// The input tensor shape for a batch.
    public func shape(batch: Int) -> [Int64] {
        switch layout {
        case .nchw: return [Int64(batch), 3, Int64(cropSize), Int64(cropSize)]
        case .nhwc: return [Int64(batch), Int64(cropSize), Int64(cropSize), 3]
        }
    }

    /// Why this configuration cannot work, or nil.
    public var problem: String? {
        if cropSize < 1 { return "cropSize must be positive" }
        if resizeShorterSide < cropSize { return "resizeShorterSide (\(resizeShorterSide)) must be >= cropSize (\(cropSize))" }
        if mean.count != 3 || std.count != 3 { return "mean and std need 3 values (R, G, B)" }
        if std.contains(where: { !($0 > 0) }) { return "std values must be positive" }
        return nil
    }
}
