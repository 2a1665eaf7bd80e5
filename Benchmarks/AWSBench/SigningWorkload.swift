import AWS
import Foundation

/// A fixed mix of realistic requests for the signing benchmark: S3 uploads and downloads with
/// metadata, SQS JSON calls, EC2 Query calls; a quarter carry session tokens.
struct SigningCase {
    var service: AWSService
    var region: String
    var request: AWSRequest
    var body: [UInt8]
    var credentials: AWSCredentials
    /// Resolved once, as `AWSServiceClient` does at initialisation.
    var endpoint: AWSEndpoint

    init(service: AWSService, region: String, request: AWSRequest, body: [UInt8], credentials: AWSCredentials) {
        self.service = service
        self.region = region
        self.request = request
        self.body = body
        self.credentials = credentials
        endpoint = AWSEndpoint(service: service, region: region, customEndpoint: nil)
    }

    static func workload(count: Int) -> [SigningCase] {
        let keyed = AWSCredentials(accessKeyID: "AKIDBENCHMARK", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        let session = AWSCredentials(accessKeyID: "ASIABENCHMARK", secretAccessKey: "session/secret+key",
                                     sessionToken: String(repeating: "IQoJb3JpZ2luX2VjEPT//////////wEaCXVzLWVhc3QtMSJH", count: 6))
        return (0..<count).map { index in
            let credentials = index % 4 == 3 ? session : keyed
            switch index % 4 {
            case 0:
                let body = [UInt8](repeating: UInt8(index % 251), count: 1024)
                var headers: AWSHeaders = ["Content-Type": "image/jpeg"]
                headers["x-amz-meta-original-name"] = "holiday photo \(index).jpg"
                return SigningCase(service: .s3, region: "us-east-1",
                                   request: AWSRequest(method: "PUT", path: "/elastic-input/uploads/\(index)/photo \(index).jpg",
                                                       headers: headers),
                                   body: body, credentials: credentials)
            case 1:
                return SigningCase(service: .s3, region: "eu-west-1",
                                   request: AWSRequest(method: "GET", path: "/elastic-output/results/\(index).json",
                                                       query: [("versionId", "v\(index)")]),
                                   body: [], credentials: credentials)
            case 2:
                let body = Array(#"{"QueueUrl":"https://sqs.us-east-1.amazonaws.com/123456789012/requests","MessageBody":"{\"v\":1,\"jobId\":\"\#(index)\"}"}"#.utf8)
                let headers: AWSHeaders = ["Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.SendMessage"]
                return SigningCase(service: .sqs, region: "us-east-1",
                                   request: AWSRequest(method: "POST", path: "/", headers: headers), body: body,
                                   credentials: credentials)
            default:
                let body = Array("Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=tag%3AName&Filter.1.Value.1=worker-\(index)".utf8)
                let headers: AWSHeaders = ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"]
                return SigningCase(service: .ec2, region: "us-west-2",
                                   request: AWSRequest(method: "POST", path: "/", headers: headers), body: body,
                                   credentials: credentials)
            }
        }
    }

    /// The case in the reference script's JSON format.
    var json: [String: Any] {
        let target = endpoint.target(for: request)
        return [
            "service": service.signingName, "region": region, "method": request.method, "url": target.urlString,
            "headers": request.headers.fields.map { [$0.name, $0.value] },
            "body_hex": body.map { String(format: "%02x", $0) }.joined(),
            "access_key": credentials.accessKeyID, "secret_key": credentials.secretAccessKey,
            "token": credentials.sessionToken as Any, "timestamp": "20261130T120000Z", "unsigned_payload": false,
        ]
    }
}

/// Signs the workload round-robin for `seconds`: endpoint resolution, path and query encoding,
/// body hash and signature, as `AWSServiceClient` does per attempt.
enum SigningBenchmark {
    static func run(_ cases: [SigningCase], seconds: Double) -> (signatures: Int, seconds: Double, checksum: Int) {
        let keyCache = SigV4SigningKeyCache()
        let date = Date(timeIntervalSince1970: 1_796_040_000)
        var count = 0
        var checksum = 0
        // CPU time of this thread, not wall time: the machine is shared, and the reference
        // side measures the same way (time.thread_time), so the ratio is not skewed by load.
        let start = threadCPUSeconds()
        while threadCPUSeconds() - start < seconds {
            for item in cases {
                let target = item.endpoint.target(for: item.request)
                let signer = SigV4Signer(credentials: item.credentials, service: item.service.signingName,
                                         region: item.region, keyCache: keyCache)
                let payloadHash = item.body.isEmpty ? SHA256.emptyHashHex : SHA256.hex(SHA256.hash(item.body))
                let result = signer.sign(method: item.request.method, target: target, headers: item.request.headers,
                                         payloadHash: payloadHash, date: date)
                checksum &+= result.signature.utf8.count
            }
            count += cases.count
        }
        return (count, threadCPUSeconds() - start, checksum)
    }

    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
