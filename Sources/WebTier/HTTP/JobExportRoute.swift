import Foundation
import HTTPServer

/// `GET /api/jobs/{id}?format=csv|json`: the job's results as a download (`job-<id>.csv` or
/// `.json`, `Content-Disposition: attachment`). Without `format` the request is the plain status
/// route's. The status route answers every request first, so its id checks, storage rebuild and
/// errors hold for downloads too; only its 200 is turned into the download.
struct JobExportRoute: HTTPHandler {
    enum Format: String {
        case csv, json
    }

    let status: any HTTPHandler

    func handle(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard let requested = request.queryParameter("format") else { return try await status.handle(request) }
        guard let format = Format(rawValue: requested.lowercased()) else {
            return .error(.badRequest, "format must be csv or json")
        }
        let response = try await status.handle(request)
        guard response.status == .ok, case let .bytes(body) = response.body,
              let job = try? APIJSON.decode(JobStatus.self, from: Data(body)) else { return response }
        var download: HTTPResponse
        switch format {
        case .csv:
            download = HTTPResponse(contentType: "text/csv; charset=utf-8; header=present",
                                    body: Array(JobCSV.render(job).utf8))
        case .json:
            download = response
        }
        download.headers.set("Content-Disposition", "attachment; filename=\"job-\(job.jobId).\(format.rawValue)\"")
        download.headers.set("Cache-Control", "no-store")
        return download
    }
}
