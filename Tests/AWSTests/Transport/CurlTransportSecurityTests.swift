@testable import AWS
import Foundation
import Testing
import TestSupport

/// TLS verification and the connect timeout, against loopback servers the test sets up.
@Suite struct CurlTransportSecurityTests {
    /// A throwaway self-signed certificate for 127.0.0.1 (the openssl CLI ships with libssl).
    static func selfSignedCertificate() throws -> (certificate: URL, key: URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("awscore-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificate = directory.appendingPathComponent("cert.pem"), key = directory.appendingPathComponent("key.pem")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.path, "-out", certificate.path,
                             "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw PythonHelperServer.StartFailure(description: "openssl req failed") }
        return (certificate, key)
    }

    func get(_ transport: CurlTransport, _ url: String) async throws -> AWSResponse {
        try await transport.execute(HTTPTransportRequest(method: "GET", url: url, headers: [:], body: .empty,
                                                         timeouts: AWSTimeouts(connect: .seconds(2), request: .seconds(5)),
                                                         downloadTo: nil))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"), "no openssl CLI"))
    func anUntrustedCertificateIsRefusedAndATrustedOneWorks() async throws {
        let (certificate, key) = try Self.selfSignedCertificate()
        let server = try await FaultServer.start(tlsCertificate: certificate, tlsKey: key)
        let url = "https://127.0.0.1:\(server.port)/secure"
        let error = await #expect(throws: AWSTransportError.self) { try await get(CurlTransport(), url) }
        #expect(error?.kind == .tls)
        #expect(error?.isRetryable == false, "a certificate problem does not go away by retrying")
        #expect(error?.description.contains("certificate") == true)
        // The same server is fine once its certificate is trusted: verification, not TLS, failed.
        let trusting = CurlTransport(certificateAuthorities: certificate)
        let response = try await get(trusting, url)
        #expect(response.status == 200)
        #expect(response.headers["X-Echo-Path"] == "/secure")
        await server.stop()
    }

    /// A listener whose accept queue is full drops new SYNs, so connect() hangs: the connect
    /// timeout must end it, well before the total timeout.
    @Test func aConnectionThatNeverCompletesHitsTheConnectTimeout() async throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(listener >= 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        try #require(bound && listen(listener, 0) == 0)
        // Fill the accept queue (never accepted) so the next handshake cannot finish.
        var fillers: [Int32] = []
        defer { fillers.forEach { close($0) } }
        for _ in 0..<4 {
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            _ = fcntl(filler, F_SETFL, O_NONBLOCK)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            fillers.append(filler)
        }
        try await Task.sleep(for: .milliseconds(100))
        let port = UInt16(bigEndian: address.sin_port)
        let request = HTTPTransportRequest(method: "GET", url: "http://127.0.0.1:\(port)/", headers: [:], body: .empty,
                                           timeouts: AWSTimeouts(connect: .milliseconds(300), request: .seconds(30)),
                                           downloadTo: nil)
        let error = await #expect(throws: AWSTransportError.self) { try await CurlTransport().execute(request) }
        #expect(error?.kind == .timedOut)
        #expect(error?.message.lowercased().contains("connect") == true, "the message says it was the connection: \(error?.message ?? "")")
    }
}
