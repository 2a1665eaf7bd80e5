import Foundation

/// Why `webtier` could not bring up the local AWS it needs, and what to do about it.
enum LocalAWSError: Error, CustomStringConvertible {
    /// Nothing answers at the endpoint and the venv has no moto: the checkout is not set up.
    case notSetUp(endpoint: String, motoServer: String)
    /// Nothing answers and starting one is turned off.
    case absent(endpoint: String)
    case spawnFailed(reason: String)
    /// moto started but never answered `GET /moto-api/` (or exited); the end of its log.
    case notReady(endpoint: String, seconds: Double, logFile: String, logTail: String)

    var description: String {
        switch self {
        case let .notSetUp(endpoint, motoServer):
            return "nothing answers at \(endpoint) (aws.endpointURL) and there is no local AWS to start there: "
                + "\(motoServer) is missing, so this checkout has not been set up. Run ./scripts/run: it sets "
                + "everything up (venv with moto, model, ONNX Runtime) and starts the whole system; after that "
                + "`swift run webtier` works on its own. (Or point ELASTIC_VENV / aws.localServer.venv at a venv with moto, "
                + "or pass --endpoint with the URL of a running moto.)"
        case let .absent(endpoint):
            return "nothing answers at \(endpoint) (aws.endpointURL) and aws.localServer.startWhenAbsent is false: "
                + "start moto there, or pass --endpoint with the URL of a running one"
        case let .spawnFailed(reason):
            return "cannot start the local AWS (moto): \(reason)"
        case let .notReady(endpoint, seconds, logFile, logTail):
            return "the local AWS (moto) did not answer at \(endpoint) within \(seconds) s "
                + "(aws.localServer.startTimeoutSeconds); its log, \(logFile), ends with:\n\(logTail)"
        }
    }
}
