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

    struct SQSLatencies {
        var roundTrip: Latencies
        var send: Latencies
        var receive: Latencies
        var delete: Latencies
    }

    /// Alternates rounds of ours and boto3 so that drift in moto's or the machine's speed
    /// (other builds, moto warming up) affects both sides alike.
    static func sqs(moto: MotoServer, iterations: Int, warmup: Int, rounds: Int) async throws -> SQSLatencies {
        let client = SQSClient(configuration: moto.configuration())
        let queueURL = try await client.createQueue(named: "awsbench-ours-\(UInt32.random(in: 0...UInt32.max))")
        let referenceQueue = "awsbench-boto3-\(UInt32.random(in: 0...UInt32.max))"
        var result = SQSLatencies(roundTrip: Latencies(ours: [], boto3: []), send: Latencies(ours: [], boto3: []),
                                  receive: Latencies(ours: [], boto3: []), delete: Latencies(ours: [], boto3: []))
        let perRound = max(1, iterations / max(1, rounds))
        for _ in 0..<max(1, rounds) {
            let ours = try await sqsRound(client: client, queueURL: queueURL, iterations: perRound, warmup: warmup)
            struct Reference: Decodable { var latencies: [Double]; var send: [Double]; var receive: [Double]; var delete: [Double] }
            let reference = try ReferenceProcess.run(
                ["sqs", "--endpoint", moto.endpoint.absoluteString, "--queue", referenceQueue,
                 "--iterations", String(perRound), "--warmup", String(warmup)], as: Reference.self)
            result.roundTrip.ours += ours.total
            result.send.ours += ours.sends
            result.receive.ours += ours.receives
            result.delete.ours += ours.deletes
            result.roundTrip.boto3 += reference.latencies
            result.send.boto3 += reference.send
            result.receive.boto3 += reference.receive
            result.delete.boto3 += reference.delete
        }
        return result
    }

    static func sqsRound(client: SQSClient, queueURL: String, iterations: Int, warmup: Int) async throws
        -> (total: [Double], sends: [Double], receives: [Double], deletes: [Double]) {
        var total: [Double] = [], sends: [Double] = [], receives: [Double] = [], deletes: [Double] = []
        let clock = ContinuousClock()
        for index in 0..<(warmup + iterations) {
            let start = clock.now
            _ = try await client.sendMessage(queueURL: queueURL, body: #"{"v":1,"jobId":"\#(index)"}"#)
            let sent = clock.now
            var messages: [SQSMessage] = []
            while messages.isEmpty {
                messages = try await client.receiveMessages(queueURL: queueURL, maxMessages: 1, waitTimeSeconds: 1)
            }
            let received = clock.now
            try await client.deleteMessage(queueURL: queueURL, receiptHandle: messages[0].receiptHandle)
            let end = clock.now
            if index >= warmup {
                total.append(seconds(end - start))
                sends.append(seconds(sent - start))
                receives.append(seconds(received - sent))
                deletes.append(seconds(end - received))
            }
        }
        return (total, sends, receives, deletes)
    }

    static func s3(moto: MotoServer, size: Int, iterations: Int, warmup: Int, rounds: Int) async throws
        -> (put: Latencies, get: Latencies) {
        let client = S3Client(configuration: moto.configuration())
        let bucket = "awsbench-ours-\(UInt32.random(in: 0...UInt32.max))"
        let referenceBucket = "awsbench-boto3-\(UInt32.random(in: 0...UInt32.max))"
        try await client.createBucket(bucket)
        let body = Data((0..<size).map { UInt8($0 % 251) })
        var put = Latencies(ours: [], boto3: []), get = Latencies(ours: [], boto3: [])
        let perRound = max(1, iterations / max(1, rounds))
        let clock = ContinuousClock()
        for _ in 0..<max(1, rounds) {
            for index in 0..<(warmup + perRound) {
                let start = clock.now
                try await client.putObject(bucket: bucket, key: "bench/object.bin", body: body)
                let middle = clock.now
                let object = try await client.getObject(bucket: bucket, key: "bench/object.bin")
                let end = clock.now
                guard object.body.count == size else {
                    throw ReferenceProcess.Failure(description: "short read: \(object.body.count) of \(size) bytes")
                }
                if index >= warmup {
                    put.ours.append(seconds(middle - start))
                    get.ours.append(seconds(end - middle))
                }
            }
            struct Reference: Decodable { var put: [Double]; var get: [Double] }
            let reference = try ReferenceProcess.run(
                ["s3", "--endpoint", moto.endpoint.absoluteString, "--bucket", referenceBucket,
                 "--size", String(size), "--iterations", String(perRound), "--warmup", String(warmup)], as: Reference.self)
            put.boto3 += reference.put
            get.boto3 += reference.get
        }
        return (put, get)
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
