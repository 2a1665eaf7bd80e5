import Pipeline

/// Which jobs a worker acts on. A job message names the object to read, and the worker's role may
/// read more than the uploads (and writes the audit object at the job's key in the output
/// bucket): a message naming anything else, sent by a confused or compromised sender, would make
/// the worker a deputy that reads or overwrites objects on its behalf. Only images under the
/// configured input bucket's `uploads/` prefix, with ids we generate, are worked on.
struct JobScope: Sendable, Equatable {
    let inputBucket: String
    let prefix: String

    init(inputBucket: String, prefix: String = ObjectNaming.uploadsPrefix) {
        self.inputBucket = inputBucket
        self.prefix = prefix
    }

    enum Verdict: Sendable, Equatable {
        case inScope
        /// The ids cannot name a result object: no result can be stored, the message is left for
        /// the dead-letter queue like any unreadable one.
        case unaddressable(reason: String)
        /// The ids are ours but the object is not: an `error` result, and the message is deleted.
        case outOfScope(reason: String)
    }

    func check(_ job: JobMessage) -> Verdict {
        for (field, value) in [("jobId", job.jobId), ("imageId", job.imageId)] where !ObjectNaming.isValidID(value) {
            return .unaddressable(reason: "job field '\(field)' is not a 32-digit lowercase hex id")
        }
        guard job.bucket == inputBucket else {
            return .outOfScope(reason: "refused: the job names bucket '\(job.bucket)', but this worker reads only"
                               + " the input bucket '\(inputBucket)' (storage.inputBucket)")
        }
        guard job.key.hasPrefix(prefix), job.key.count > prefix.count else {
            return .outOfScope(reason: "refused: the job names key '\(job.key)', which is not under '\(prefix)'"
                               + " of the input bucket")
        }
        return .inScope
    }
}
