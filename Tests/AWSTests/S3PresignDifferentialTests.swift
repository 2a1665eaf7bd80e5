import AWS
import Foundation
import Testing
import TestSupport

/// Presigned GET URLs compared with botocore's S3 query signer at the same instant. moto cannot
/// check presigned URLs (with signature checking on it answers 500: it looks for an
/// Authorization header), so botocore is the independent verifier here.
@Suite("S3 presigned URLs against botocore")
struct S3PresignDifferentialTests {
    static let script = """
        import json, sys, datetime
        from urllib.parse import quote
        import botocore.auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        a = json.loads(sys.argv[1])
        instant = datetime.datetime.fromtimestamp(a["epoch"], datetime.timezone.utc)
        botocore.auth.get_current_datetime = lambda *args, **kwargs: instant.replace(tzinfo=None)
        url = a["endpoint"] + "/" + a["bucket"] + "/" + quote(a["key"], safe="/~")
        request = AWSRequest(method="GET", url=url)
        signer = botocore.auth.S3SigV4QueryAuth(Credentials(a["accessKey"], a["secretKey"]), "s3", a["region"], expires=a["expires"])
        signer.add_auth(request)
        print(request.prepare().url)
        """

    static func botocoreURL(endpoint: URL, bucket: String, key: String, region: String, expires: Int, date: Date,
                            credentials: AWSCredentials) throws -> URL {
        let arguments: [String: Any] = [
            "endpoint": endpoint.absoluteString, "bucket": bucket, "key": key, "region": region, "expires": expires,
            "epoch": Int(date.timeIntervalSince1970), "accessKey": credentials.accessKeyID, "secretKey": credentials.secretAccessKey,
        ]
        let process = Process()
        process.executableURL = TestPaths.python
        process.arguments = ["-c", script, String(decoding: try JSONSerialization.data(withJSONObject: arguments), as: UTF8.self)]
        process.environment = ["AWS_EC2_METADATA_DISABLED": "true", "PATH": "/usr/bin:/bin"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, let url = URL(string: text) else {
            throw LoopbackHTTP.Failure(description: "botocore presign failed (\(process.terminationStatus)): \(text)")
        }
        return url
    }

    static func queryItems(_ url: URL) -> [String: String] {
        var items: [String: String] = [:]
        for item in URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? [] { items[item.name] = item.value ?? "" }
        return items
    }

    @Test("our presigned URL equals botocore's: same path encoding, same signed query",
          arguments: ["photo.jpg", "a b.jpg", "ünïcödé/φωτο.jpg", "x+y=z&w.txt", "dir/sub/file name (1).jpg", "tilde~star*.png"])
    func matchesBotocore(key: String) async throws {
        guard FileManager.default.isExecutableFile(atPath: TestPaths.python.path) else {
            Issue.record("no venv python at \(TestPaths.python.path): run scripts/setup")
            return
        }
        let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        let endpoint = URL(string: "http://127.0.0.1:9000")!
        let configuration = AWSClientConfiguration(region: "eu-central-1", endpointURL: endpoint,
                                                   credentialsProvider: StaticCredentialsProvider(credentials))
        let date = Date(timeIntervalSince1970: 1_796_000_000)
        let ours = try await S3Client(configuration: configuration)
            .presignedGetURL(bucket: "photos", key: key, expires: .seconds(900), date: date)
        let theirs = try Self.botocoreURL(endpoint: endpoint, bucket: "photos", key: key, region: "eu-central-1",
                                          expires: 900, date: date, credentials: credentials)
        #expect(ours.path(percentEncoded: true) == theirs.path(percentEncoded: true))
        #expect(Self.queryItems(ours) == Self.queryItems(theirs))
        #expect(Self.queryItems(ours)["X-Amz-Signature"]?.count == 64)
    }
}
