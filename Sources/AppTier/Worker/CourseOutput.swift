import Pipeline

/// The original course's output object: in the output bucket, one object per classified image
/// named by the image's file name without its extension (`test_0`), holding `(test_0, label)`.
/// Graders list the bucket and read these, so they sit at the bucket's root, beside our
/// `results/` JSON. Written only with `worker.courseOutput` on.
struct CourseOutput: Sendable, Equatable {
    var key: String
    var body: String

    /// Nil for a refused image (the course's format has no place for an error) and for a name
    /// whose stem would not be a plain top-level key.
    init?(_ result: ResultMessage) {
        guard let label = result.label, result.error == nil else { return nil }
        let stem = CourseNaming.stem(of: result.fileName)
        guard !stem.isEmpty, !stem.contains("/") else { return nil }
        key = stem
        body = "(\(stem), \(label))"
    }
}
