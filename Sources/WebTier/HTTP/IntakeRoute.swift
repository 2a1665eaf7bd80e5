import HTTPServer
import Pipeline

/// `POST /api/jobs`: many files in the field `files` → 202 `JobAccepted`; 415 (with the reasons)
/// when every file is refused; 413 naming the limit when the request as a whole breaks one.
struct IntakeRoute: HTTPHandler {
    let admission: UploadAdmission
    let submitter: JobSubmitter

    func handle(_ request: HTTPRequest) async throws -> HTTPResponse {
        await admission.admit(request) {
            let metrics = admission.metrics
            do throws(IntakeError) {
                let upload = try await admission.read(request, fieldName: "files")
                let accepted = try await submitter.submit(upload)
                if accepted.images.isEmpty {
                    metrics.update { $0.requestsRefused += 1 }
                    // Nothing could be stored although some files were fine: that is our failure.
                    let status: HTTPStatus = upload.candidates.isEmpty ? .unsupportedMediaType : .serviceUnavailable
                    return WebContext.json(UploadRefusal(message: upload.candidates.isEmpty
                        ? "no file was accepted" : "no image could be stored (retry later)", accepted: accepted), status: status)
                }
                var response = WebContext.json(accepted, status: .accepted)
                if let cookie = admission.authorization.cookie() { response.headers.set("Set-Cookie", cookie) }
                return response
            } catch {
                metrics.update { $0.requestsRefused += 1 }
                return error.response
            }
        }
    }
}

/// The body of a refused upload: why, and the per-file reasons (`JobAccepted`'s fields beside it).
struct UploadRefusal: Encodable {
    let message: String
    let accepted: JobAccepted

    func encode(to encoder: any Encoder) throws {
        enum Key: String, CodingKey { case message }
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(message, forKey: .message)
        try accepted.encode(to: encoder)
    }
}
