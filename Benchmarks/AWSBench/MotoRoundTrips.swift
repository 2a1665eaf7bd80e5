import AWS
import Foundation
import TestSupport

/// SQS send + receive + delete and S3 put/get of 100 KB, ours versus boto3 against the same
/// moto, each with its own queue and bucket so queue depth never differs.
enum MotoRoundTrips {
    struct Latencies {
        var ours: [Double]
        var boto3: [Double]
    }

    static func sqs(moto: MotoServer, iterations: Int, warmup: Int) async throws -> Latencies {
        let client = SQSClient(configuration: moto.configuration())
        let queueURL = try await client.createQueue(named: "awsbench-ours-\(UInt32.random(in: 0...UInt32.max))")
        var ours: [Double] = []
        let clock = ContinuousClock()
        for index in 0..<(warmup + iterations) {
            let start = clock.now
            _ = try await client.sendMessage(queueURL: queueURL, body: #"{"v":1,"jobId":"\#(index)"}"#)
            var messages: [SQSMessage] = []
            while messages.isEmpty {
                messages = try await client.receiveMessages(queueURL: queueURL, maxMessages: 1, waitTimeSeconds: 1)
            }
            try await client.deleteMessage(queueURL: queueURL, receiptHandle: messages[0].receiptHandle)
            if index >= warmup { ours.append(seconds(clock.now - start)) }
        }
        struct Reference: Decodable { var latencies: [Double] }
        let reference = try ReferenceProcess.run(
            ["sqs", "--endpoint", moto.endpoint.absoluteString, "--queue", "awsbench-boto3-\(UInt32.random(in: 0...UInt32.max))",
             "--iterations", String(iterations), "--warmup", String(warmup)], as: Reference.self)
        return Latencies(ours: ours, boto3: reference.latencies)
    }

    static func s3(moto: MotoServer, size: Int, iterations: Int, warmup: Int) async throws -> (put: Latencies, get: Latencies) {
        let client = S3Client(configuration: moto.configuration())
        let bucket = "awsbench-ours-\(UInt32.random(in: 0...UInt32.max))"
        try await client.createBucket(bucket)
        let body = Data((0..<size).map { UInt8($0 % 251) })
        var puts: [Double] = [], gets: [Double] = []
        let clock = ContinuousClock()
        for index in 0..<(warmup + iterations) {
            let start = clock.now
            try await client.putObject(bucket: bucket, key: "bench/object.bin", body: body)
            let middle = clock.now
            let object = try await client.getObject(bucket: bucket, key: "bench/object.bin")
            let end = clock.now
            guard object.body.count == size else {
                throw ReferenceProcess.Failure(description: "short read: \(object.body.count) of \(size) bytes")
            }
            if index >= warmup {
                puts.append(seconds(middle - start))
                gets.append(seconds(end - middle))
            }
        }
        struct Reference: Decodable { var put: [Double]; var get: [Double] }
        let reference = try ReferenceProcess.run(
            ["s3", "--endpoint", moto.endpoint.absoluteString, "--bucket", "awsbench-boto3-\(UInt32.random(in: 0...UInt32.max))",
             "--size", String(size), "--iterations", String(iterations), "--warmup", String(warmup)], as: Reference.self)
        return (Latencies(ours: puts, boto3: reference.put), Latencies(ours: gets, boto3: reference.get))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

extension Array where Element == Double {
    func percentile(_ fraction: Double) -> Double {
        guard !isEmpty else { return .nan }
        let sorted = self.sorted()
        return sorted[Swift.min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))]
    }
}
