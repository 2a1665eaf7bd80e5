import AWS
import Foundation
import Pipeline
import Testing
import TestSupport

/// Hostile inputs, a flaky network and self-termination through the real EC2 API.
@Suite("apptier failure handling against moto", .serialized)
struct WorkerFailureTests {
    /// A JPEG whose header claims 20000x20000 pixels (a decompression bomb): a real small JPEG
    /// with the SOF0 dimensions rewritten.
    static func pixelBombJPEG(from jpeg: Data) throws -> Data {
        var bytes = [UInt8](jpeg)
        var index = 2
        while index + 9 < bytes.count {
            guard bytes[index] == 0xFF else { break }
            let marker = bytes[index + 1]
            let length = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            if (0xC0...0xC2).contains(marker) {
                bytes[index + 5] = 0x4E; bytes[index + 6] = 0x20 // height 20000
                bytes[index + 7] = 0x4E; bytes[index + 8] = 0x20 // width 20000
                return Data(bytes)
            }
            index += 2 + length
        }
        throw LoopbackHTTP.Failure(description: "no SOF marker found")
    }

    @Test("poison images get error results, are deleted, and the worker keeps classifying")
    func poisonInputs() async throws {
        let harness = try await WorkerHarness()
        let photos = try Photos.all()
        let jpeg = try #require(photos.first { $0.name.hasSuffix(".jpg") })
        let poison: [(name: String, bytes: Data, reason: String)] = [
            ("notes.jpg", Data("this is a text file, not a JPEG\n".utf8), "unsupported"),
            ("truncated.jpg", jpeg.bytes.prefix(jpeg.bytes.count / 3), "truncated"),
            ("bomb.jpg", try Self.pixelBombJPEG(from: jpeg.bytes), "20000"),
            ("empty.png", Data(), "empty"),
        ]
        var jobs: [String: (JobMessage, String)] = [:]
        for item in poison {
            let job = try await harness.submit(item.bytes, fileName: item.name)
            jobs[job.imageId] = (job, item.reason)
        }
        let good = try await harness.submit(jpeg.bytes, fileName: "after-the-poison.jpg")
        let worker = try harness.startWorker("poisoned")
        let results = try await harness.collectResults(expected: poison.count + 1, timeout: .seconds(120))
        #expect(worker.isRunning, "poison does not crash the worker:\n\(worker.output)")
        await worker.stop()

        for result in results where result.imageId != good.imageId {
            let (job, reason) = try #require(jobs[result.imageId])
            let error = try #require(result.error, "\(job.fileName) must fail")
            #expect(error.lowercased().contains(reason), "\(job.fileName): \(error)")
            #expect(result.label == nil)
            #expect(try await harness.storedResult(for: job)?.error == error, "the failure is stored too")
        }
        #expect(results.first { $0.imageId == good.imageId }?.label != nil, "a good image after the poison is classified")
        let depth = try await harness.waitForRequestQueue(timeout: .seconds(10)) { $0.backlog == 0 }
        #expect(depth.backlog == 0, "refused images are not retried")
    }

    @Test("an image missing from S3 gets an error result instead of a retry loop")
    func missingImage() async throws {
        let harness = try await WorkerHarness()
        let job = JobMessage(jobId: ObjectNaming.newID(), imageId: ObjectNaming.newID(),
                             bucket: harness.resources.inputBucket, key: "uploads/nowhere.jpg",
                             fileName: "nowhere.jpg", submittedAt: 0)
        _ = try await harness.resources.requests.send([MessageCodec.encode(job)])
        let worker = try harness.startWorker("missing")
        let results = try await harness.collectResults(expected: 1, timeout: .seconds(60))
        await worker.stop()
        #expect(results.first?.error?.contains("does not exist") == true)
    }

    @Test("a malformed job message is left alone and ends in the dead-letter queue")
    func malformedMessageGoesToDeadLetterQueue() async throws {
        let harness = try await WorkerHarness(["queues.visibilityTimeoutSeconds": "1", "queues.maxReceiveCount": "2"])
        _ = try await harness.resources.requests.send(["{\"this is\": \"not a job\"}"])
        let worker = try harness.startWorker("strict")
        let dead = try await harness.waitForDeadLetters(timeout: .seconds(60))
        await worker.stop()
        #expect(dead.map(\.body) == ["{\"this is\": \"not a job\"}"])
        #expect(worker.output.contains("malformed job message"))
        #expect(try await harness.collectResults(expected: 1, timeout: .seconds(2)).isEmpty, "no result is invented")
    }

    @Test("a proxy that resets, then blackholes, connections for a few seconds: the worker recovers, nothing is lost")
    func flakyNetwork() async throws {
        let harness = try await WorkerHarness(["queues.visibilityTimeoutSeconds": "10"])
        let proxy = try FaultProxy(targetPort: harness.moto.port)
        defer { proxy.stop() }
        let photos = try Photos.all()
        var jobs: [JobMessage] = []
        for index in 0..<12 {
            jobs.append(try await harness.submit(photos[index % photos.count].bytes, fileName: "flaky-\(index).jpg"))
        }
        let worker = try harness.startWorker("flaky", extra: ["worker.parallelism": "2"],
                                             endpoint: proxy.endpoint, inferenceDelay: .milliseconds(300))
        var results = try await harness.collectResults(expected: 2, timeout: .seconds(60))
        proxy.setMode(.reset)
        try await Task.sleep(for: .seconds(3))
        proxy.setMode(.silent)
        try await Task.sleep(for: .seconds(3))
        proxy.setMode(.pass)
        // A job caught by the outage may be delivered and answered twice: count distinct images.
        results += try await harness.collectResults(expected: jobs.count, timeout: .seconds(180),
                                                    seen: Set(results.map(\.imageId)))
        #expect(worker.isRunning, "the worker survived the outage:\n\(worker.output)")
        await worker.stop()
        #expect(Set(results.map(\.imageId)) == Set(jobs.map(\.imageId)), "nothing lost")
        #expect(results.allSatisfy { $0.error == nil })
        #expect(proxy.connectionCounts["reset", default: 0] > 0, "the outage really hit the worker")
    }

    @Test("EC2 mode: after maxEmptyPolls idle polls the worker terminates its own instance and exits 0")
    func selfTerminationThroughTheEC2API() async throws {
        let harness = try await WorkerHarness(["worker.maxEmptyPollsBeforeShutdown": "2"])
        let ec2 = harness.clients.ec2
        let launched = try await ec2.runInstances(EC2RunInstancesRequest(
            imageId: "ami-12345678", instanceType: "t3.micro", minCount: 1, maxCount: 1,
            tags: ["Name": "app-tier-test"]))
        let instance = try #require(launched.first)
        let other = try #require(try await ec2.runInstances(EC2RunInstancesRequest(
            imageId: "ami-12345678", instanceType: "t3.micro", minCount: 1, maxCount: 1)).first)
        let metadata = try InstanceMetadataEndpoint(instanceID: instance.instanceId)
        defer { metadata.stop() }

        let worker = try harness.startWorker(
            "ec2-worker", extra: ["worker.mode": "ec2", "aws.metadataEndpoint": metadata.endpoint.absoluteString])
        let status = await worker.waitForExit(timeout: .seconds(60))
        #expect(status == 0, "\(worker.output)")
        #expect(worker.output.contains("terminated own instance"))
        #expect(metadata.requestLines.contains("PUT /latest/api/token HTTP/1.1"), "IMDSv2 token first")

        let states = try await ec2.describeInstances(instanceIds: [instance.instanceId, other.instanceId])
        let byID = Dictionary(uniqueKeysWithValues: states.instances.map { ($0.instanceId, $0.state) })
        #expect([.terminated, .shuttingDown].contains(byID[instance.instanceId]), "its own instance is gone")
        #expect(byID[other.instanceId] == .running, "and only its own")
    }
}
