import Foundation
import HTTPServer
import Pipeline

/// `POST /` with one image in the field `myfile`: the course's web-tier contract. Waits for the
/// classification and answers `200 text/plain` `<name without extension>:<label>`; 504 when no
/// result comes within `web.courseEndpointTimeoutSeconds`.
struct CourseRoute: HTTPHandler {
    let admission: UploadAdmission
    let submitter: JobSubmitter
    let waiters: ResultWaiters
    /// `web.courseEndpointTimeoutSeconds`.
    let timeoutSeconds: Double

    func handle(_ request: HTTPRequest) async throws -> HTTPResponse {
        await admission.admit(request) {
            let metrics = admission.metrics
            var policy = admission.policy
            policy.maxFilesPerRequest = 1
            let accepted: JobAccepted
            let waiters = self.waiters
            do throws(IntakeError) {
                let upload = try await admission.read(request, fieldName: "myfile", policy: policy)
                if let refusal = upload.rejected.first {
                    metrics.update { $0.requestsRefused += 1; $0.filesRejected += 1 }
                    return .error(.unsupportedMediaType, refusal.reason)
                }
                accepted = try await submitter.submit(upload) { images in
                    for image in images { waiters.expect(image.imageId) }
                }
            } catch {
                metrics.update { $0.requestsRefused += 1 }
                return error.response
            }
            guard let image = accepted.images.first else {
                return .error(.serviceUnavailable, accepted.rejected.first?.reason ?? "the image could not be queued")
            }
            let seconds = timeoutSeconds
            metrics.update { $0.courseWaiting += 1 }
            defer { metrics.update { $0.courseWaiting -= 1 } }
            guard let result = await waiters.wait(for: image.imageId, timeout: .milliseconds(Int64(seconds * 1000))) else {
                return .error(HTTPStatus(code: 504, reasonPhrase: "Gateway Timeout"), "no classification within \(Self.format(seconds)) seconds; the job \(accepted.jobId) is still queued")
            }
            if let error = result.error {
                return .error(.unprocessableContent, "the image could not be classified: \(error)")
            }
            return .text(result.courseReply)
        }
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}
