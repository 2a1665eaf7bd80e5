import CCurl
import Dispatch
import Foundation

/// HTTP over libcurl with a pool of reusable easy handles (each keeps its connections alive).
///
/// `curl_easy_perform` blocks for the whole transfer (up to 20 s for an SQS long poll), so each
/// transfer runs on its own Dispatch thread, never on Swift's cooperative pool: a fresh serial
/// queue targets the overcommitting global queue, which adds a thread rather than queueing
/// behind other blocked transfers. Share one instance between clients to share connections.
public final class CurlTransport: HTTPTransport, Sendable {
    let pool: CurlHandlePool
    /// Bodies at least this large are sent with `Expect: 100-continue`, so a request the
    /// server rejects (bad signature, missing bucket) is refused before the upload.
    public let expectContinueThreshold: Int64
    /// Extra trusted CA certificates (PEM) instead of the system bundle, e.g. for a TLS proxy.
    /// Verification itself can never be turned off.
    public let certificateAuthorities: URL?

    public init(maximumIdleConnections: Int = 32, expectContinueThreshold: Int64 = 1 << 20) {
        pool = CurlHandlePool(maximumIdle: maximumIdleConnections)
        self.expectContinueThreshold = expectContinueThreshold
        certificateAuthorities = nil
    }

    /// A transport that trusts the CA certificates in `certificateAuthorities` (PEM).
    public init(certificateAuthorities: URL, maximumIdleConnections: Int = 32, expectContinueThreshold: Int64 = 1 << 20) {
        pool = CurlHandlePool(maximumIdle: maximumIdleConnections)
        self.expectContinueThreshold = expectContinueThreshold
        self.certificateAuthorities = certificateAuthorities
    }

    func execute(_ request: HTTPTransportRequest) async throws -> AWSResponse {
        let cancellation = CancellationFlag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<AWSResponse, any Error>) in
                DispatchQueue(label: "aws.curl.transfer").async {
                    continuation.resume(with: Result { try self.perform(request, cancellation: cancellation) })
                }
            }
        } onCancel: {
            cancellation.cancel()
        }
    }

    /// Runs one transfer to completion on the calling (Dispatch) thread.
    func perform(_ request: HTTPTransportRequest, cancellation: CancellationFlag) throws(AWSTransportError) -> AWSResponse {
        if let problem = Self.problem(with: request) {
            throw AWSTransportError(kind: .invalidRequest, message: problem, url: request.url)
        }
        guard let handle = pool.checkOut() else {
            throw AWSTransportError(kind: .other, message: "curl_easy_init failed", url: request.url)
        }
        let transfer: CurlTransfer
        do {
            transfer = try CurlTransfer(body: request.body, downloadTo: request.downloadTo, cancellation: cancellation)
        } catch {
            pool.checkIn(handle)
            throw AWSTransportError(kind: error.kind, message: error.message, url: request.url)
        }
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let context = Unmanaged.passUnretained(transfer).toOpaque()

        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errorText in
            let h = handle.raw
            _ = ec_curl_setopt_pointer(h, CURLOPT_ERRORBUFFER, errorText.baseAddress)
            _ = ec_curl_setopt_string(h, CURLOPT_URL, request.url)
            _ = ec_curl_setopt_string(h, CURLOPT_PROTOCOLS_STR, "http,https")
            // Signals cannot interrupt a thread we do not own; timeouts must not use SIGALRM.
            _ = ec_curl_setopt_long(h, CURLOPT_NOSIGNAL, 1)
            _ = ec_curl_setopt_long(h, CURLOPT_SSL_VERIFYPEER, 1)
            _ = ec_curl_setopt_long(h, CURLOPT_SSL_VERIFYHOST, 2)
            if let certificateAuthorities { _ = ec_curl_setopt_string(h, CURLOPT_CAINFO, certificateAuthorities.path) }
            _ = ec_curl_setopt_long(h, CURLOPT_FOLLOWLOCATION, 0)
            _ = ec_curl_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.timeouts.connect))
            _ = ec_curl_setopt_long(h, CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeouts.request))
            _ = ec_curl_setopt_long(h, CURLOPT_TCP_KEEPALIVE, 1)
            // Some servers (moto among them) send two "100 Continue" lines; libcurl copes. A
            // server that ignores Expect gets the body after one second anyway.
            _ = ec_curl_setopt_long(h, CURLOPT_EXPECT_100_TIMEOUT_MS, 1000)

            setMethod(h, request, transfer)
            headerList = Self.headerList(request.headers, expectContinue: transfer.bodyLength >= expectContinueThreshold)
            _ = ec_curl_setopt_slist(h, CURLOPT_HTTPHEADER, headerList)

            _ = ec_curl_setopt_pointer(h, CURLOPT_READDATA, context)
            _ = ec_curl_setopt_read_callback(h, curlRead)
            _ = ec_curl_setopt_pointer(h, CURLOPT_SEEKDATA, context)
            _ = ec_curl_setopt_seek_callback(h, curlSeek)
            _ = ec_curl_setopt_pointer(h, CURLOPT_HEADERDATA, context)
            _ = ec_curl_setopt_header_callback(h, curlHeader)
            _ = ec_curl_setopt_pointer(h, CURLOPT_WRITEDATA, context)
            _ = ec_curl_setopt_write_callback(h, curlWrite)
            _ = ec_curl_setopt_long(h, CURLOPT_NOPROGRESS, 0)
            _ = ec_curl_setopt_pointer(h, CURLOPT_XFERINFODATA, context)
            _ = ec_curl_setopt_xferinfo_callback(h, curlProgress)
            return curl_easy_perform(h)
        }
        let curlMessage = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // Options pointing at this transfer must not outlive it.
        curl_easy_reset(handle.raw)
        if code == CURLE_OK {
            pool.checkIn(handle)
        }
        // A failed handle may hold a broken connection; let it go.
        guard code == CURLE_OK else {
            transfer.discardPartialFile()
            throw Self.error(for: code, message: curlMessage, transfer: transfer, url: request.url)
        }
        do {
            try transfer.finishDownload()
        } catch {
            throw AWSTransportError(kind: error.kind, message: error.message, url: request.url)
        }
        return AWSResponse(status: transfer.status, headers: transfer.headers, body: Data(transfer.body),
                           file: transfer.wroteToFile ? request.downloadTo : nil)
    }

    private func setMethod(_ h: UnsafeMutableRawPointer, _ request: HTTPTransportRequest, _ transfer: CurlTransfer) {
        switch request.method.uppercased() {
        case "GET" where transfer.bodyLength == 0:
            _ = ec_curl_setopt_long(h, CURLOPT_HTTPGET, 1)
        case "HEAD":
            _ = ec_curl_setopt_long(h, CURLOPT_NOBODY, 1)
        case "DELETE" where transfer.bodyLength == 0:
            _ = ec_curl_setopt_string(h, CURLOPT_CUSTOMREQUEST, "DELETE")
        default:
            // PUT and POST (and anything with a body) stream through the read callback with a
            // known length, so libcurl sends Content-Length and never invents a Content-Type.
            _ = ec_curl_setopt_long(h, CURLOPT_UPLOAD, 1)
            _ = ec_curl_setopt_off(h, CURLOPT_INFILESIZE_LARGE, curl_off_t(transfer.bodyLength))
            if request.method.uppercased() != "PUT" {
                _ = ec_curl_setopt_string(h, CURLOPT_CUSTOMREQUEST, request.method)
            }
        }
    }

    /// libcurl sends methods and header lines verbatim, so a CR or LF in them would inject
    /// headers (or a second request); such requests are refused before anything is sent.
    static func problem(with request: HTTPTransportRequest) -> String? {
        let method = request.method.utf8
        if method.isEmpty || !method.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D }) {
            return "HTTP method \(String(reflecting: request.method)) is not a token"
        }
        for field in request.headers {
            let name = field.name.utf8
            if name.isEmpty || name.contains(where: { $0 <= 0x20 || $0 == 0x3A || $0 >= 0x7F }) {
                return "header name \(String(reflecting: field.name)) is empty or contains a space, colon or control character"
            }
            if field.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) {
                return "header \(field.name) has a line break or NUL in its value"
            }
        }
        return nil
    }

    static func headerList(_ headers: AWSHeaders, expectContinue: Bool) -> UnsafeMutablePointer<curl_slist>? {
        var list: UnsafeMutablePointer<curl_slist>?
        for field in headers {
            // "Name;" is libcurl's spelling of a header with an empty value ("Name:" deletes it).
            let line = field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)"
            list = curl_slist_append(list, line)
        }
        if !headers.contains("Expect") {
            list = curl_slist_append(list, expectContinue ? "Expect: 100-continue" : "Expect:")
        }
        if !headers.contains("Accept") { list = curl_slist_append(list, "Accept:") }
        return list
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }

    static func error(for code: CURLcode, message: String, transfer: CurlTransfer, url: String) -> AWSTransportError {
        let text = transfer.callbackFailure ?? (message.isEmpty ? String(cString: curl_easy_strerror(code)) : message)
        let kind: AWSTransportError.Kind
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT:
            kind = .connectionFailed
        case CURLE_OPERATION_TIMEDOUT:
            kind = .timedOut
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_WEIRD_SERVER_REPLY,
             CURLE_HTTP2, CURLE_HTTP2_STREAM:
            kind = .connectionLost
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            kind = .tls
        case CURLE_READ_ERROR, CURLE_WRITE_ERROR:
            kind = .file
        case CURLE_ABORTED_BY_CALLBACK:
            kind = transfer.cancellation.isCancelled ? .cancelled : .other
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT:
            kind = .invalidRequest
        default:
            kind = .other
        }
        return AWSTransportError(kind: kind, message: "\(text) (libcurl \(code.rawValue))", url: url)
    }
}

// MARK: C callbacks: user data is the `CurlTransfer`, kept alive by `perform`'s frame.

private func transfer(_ pointer: UnsafeMutableRawPointer?) -> CurlTransfer {
    Unmanaged<CurlTransfer>.fromOpaque(pointer!).takeUnretainedValue()
}

private let curlRead: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    buffer, size, count, context in
    transfer(context).readBody(into: buffer!, capacity: size * count)
}

private let curlSeek: @convention(c) (UnsafeMutableRawPointer?, curl_off_t, Int32) -> Int32 = { context, offset, origin in
    guard origin == SEEK_SET else { return Int32(CURL_SEEKFUNC_CANTSEEK) }
    return transfer(context).seekBody(to: Int64(offset)) ? Int32(CURL_SEEKFUNC_OK) : Int32(CURL_SEEKFUNC_FAIL)
}

private let curlHeader: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    buffer, size, count, context in
    let length = size * count
    buffer!.withMemoryRebound(to: UInt8.self, capacity: length) {
        transfer(context).receiveHeaderLine(UnsafeBufferPointer(start: $0, count: length))
    }
    return length
}

private let curlWrite: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    buffer, size, count, context in
    let length = size * count
    let accepted = buffer!.withMemoryRebound(to: UInt8.self, capacity: length) {
        transfer(context).receiveBody(UnsafeBufferPointer(start: $0, count: length))
    }
    return accepted ? length : 0
}

private let curlProgress: @convention(c) (UnsafeMutableRawPointer?, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> Int32 = {
    context, _, _, _, _ in
    transfer(context).cancellation.isCancelled ? 1 : 0
}
