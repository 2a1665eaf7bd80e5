import Foundation
import Pipeline
import Testing
import TestSupport

/// Real `apptier` processes against moto: throughput with several workers, crashes, drains.
@Suite("apptier workers against moto", .serialized)
struct WorkerFleetTests {
    @Test("100 jobs through 3 worker processes: 100 results on the queue and in S3, nothing lost")
    func hundredJobsThroughThreeWorkers() async throws {
        let harness = try await WorkerHarness()
        let photos = try Photos.all()
        try #require(!photos.isEmpty, "setup provides real photos in testdata/photos")
        let jobId = ObjectNaming.newID()
        var jobs: [JobMessage] = []
        for index in 0..<100 {
            let photo = photos[index % photos.count]
            jobs.append(try await harness.submit(photo.bytes, fileName: "\(index)-\(photo.name)", jobId: jobId))
        }
        let workers = try (1...3).map { try harness.startWorker("worker-\($0)") }
        let results = try await harness.collectResults(expected: 100, timeout: .seconds(300))
        for worker in workers { await worker.stop() }

        let byImage = Dictionary(grouping: results, by: \.imageId)
        #expect(Set(byImage.keys) == Set(jobs.map(\.imageId)), "every image answered, no stranger")
        #expect(results.allSatisfy { $0.error == nil && $0.label != nil && $0.top5.count == 5 })
        #expect(Set(results.map(\.worker)).count == 3, "all three workers took part")
        // The same photo always gets the same label, whichever worker classified it.
        let labelsByPhoto = Dictionary(grouping: results, by: { $0.fileName.split(separator: "-", maxSplits: 1)[1] })
            .mapValues { Set($0.compactMap(\.label)) }
        #expect(labelsByPhoto.values.allSatisfy { $0.count == 1 })

        let stored = try await harness.resources.store.list(bucket: harness.resources.outputBucket,
                                                            prefix: ObjectNaming.resultPrefix(jobId: jobId))
        #expect(stored.count == 100)
        let audit = try await harness.resources.store.get(bucket: harness.resources.outputBucket, key: jobs[0].key,
                                                          maxBytes: 1000)
        #expect(String(decoding: audit, as: UTF8.self) == "\(jobs[0].fileName),\(byImage[jobs[0].imageId]![0].label!)")
        let depth = try await harness.waitForRequestQueue(timeout: .seconds(10)) { $0.backlog == 0 }
        #expect(depth.backlog == 0, "the request queue is empty: every job was deleted")
    }

    @Test("a worker killed with SIGKILL mid-job: the job comes back and another worker completes it")
    func killedWorkerLosesNothing() async throws {
        let harness = try await WorkerHarness(["queues.visibilityTimeoutSeconds": "4"])
        let photo = try #require(try Photos.all().first)
        let job = try await harness.submit(photo.bytes, fileName: "victim.jpg")
        let slow = try harness.startWorker("slow", extra: ["worker.metricsPort": "0"], inferenceDelay: .milliseconds(60000))
        // Wait until the slow worker holds the job and a visibility heartbeat has run.
        _ = try await harness.waitForRequestQueue(timeout: .seconds(30)) { $0.inFlight == 1 }
        let heartbeats = "apptier_visibility_heartbeats_total{worker=\"local-\(slow.pid)\"} "
        let heartbeatRan = { (metrics: String) in
            metrics.split(separator: "\n").contains { $0.hasPrefix(heartbeats) && !$0.hasSuffix(" 0") }
        }
        let metrics = try await harness.workerMetrics(of: slow, timeout: .seconds(30), until: heartbeatRan)
        try #require(metrics.map { heartbeatRan($0.body) } == true, "no heartbeat in the slow worker's metrics:\n\(slow.output)")
        #expect(try await harness.resources.requests.depth().inFlight == 1, "heartbeats keep the job invisible")
        slow.signal(SIGKILL)
        #expect(await slow.waitForExit(timeout: .seconds(5)) == 128 + SIGKILL)

        let rescuer = try harness.startWorker("rescuer")
        let results = try await harness.collectResults(expected: 1, timeout: .seconds(60))
        await rescuer.stop()
        #expect(results.map(\.imageId) == [job.imageId])
        #expect(results.first?.worker == "local-\(rescuer.pid)", "the rescuer finished it, not the dead worker")
        #expect(try await harness.storedResult(for: job)?.label == results.first?.label)
    }

    @Test("SIGTERM during processing: in-flight jobs finish, the worker exits 0, nothing is lost")
    func sigtermDrainsInFlightJobs() async throws {
        let harness = try await WorkerHarness(["worker.parallelism": "2", "worker.drainSeconds": "20"])
        let photo = try #require(try Photos.all().first)
        var jobs: [JobMessage] = []
        for index in 0..<4 { jobs.append(try await harness.submit(photo.bytes, fileName: "drain-\(index).png")) }
        let worker = try harness.startWorker("draining", inferenceDelay: .milliseconds(3000))
        // The slow worker logs this as a job enters its 3 s in the model.
        let started = await worker.waitForOutput("classification delayed", timeout: .seconds(60))
        #expect(started, "a job reached the model:\n\(worker.output)")
        worker.signal(SIGTERM)
        let status = await worker.waitForExit(timeout: .seconds(25))
        #expect(status == 0, "drained and exited cleanly:\n\(worker.output)")
        let finishedByDrain = try await harness.collectResults(expected: 1, timeout: .seconds(5))
        #expect(!finishedByDrain.isEmpty, "the jobs it held were finished, not dropped")

        let successor = try harness.startWorker("successor")
        let rest = try await harness.collectResults(expected: 4, timeout: .seconds(120),
                                                    seen: Set(finishedByDrain.map(\.imageId)))
        await successor.stop()
        let answered = Set((finishedByDrain + rest).map(\.imageId))
        #expect(answered == Set(jobs.map(\.imageId)))
    }

    @Test("SIGTERM with a drain shorter than the job: the job is released at once, not held to its timeout")
    func shortDrainReleasesJobs() async throws {
        let harness = try await WorkerHarness(["worker.drainSeconds": "1", "queues.visibilityTimeoutSeconds": "120"])
        let photo = try #require(try Photos.all().first)
        let job = try await harness.submit(photo.bytes, fileName: "released.png")
        let worker = try harness.startWorker("slow", inferenceDelay: .milliseconds(30000))
        _ = try await harness.waitForRequestQueue(timeout: .seconds(30)) { $0.inFlight == 1 }
        worker.signal(SIGTERM)
        #expect(await worker.waitForExit(timeout: .seconds(15)) == 0, "exits within the drain bound:\n\(worker.output)")
        #expect(worker.output.contains("job released to the queue"))
        // Released (visibility 0), so it is visible again long before its 120 s timeout.
        let depth = try await harness.waitForRequestQueue(timeout: .seconds(10)) { $0.visible == 1 }
        #expect(depth.visible == 1)
        let successor = try harness.startWorker("successor")
        let results = try await harness.collectResults(expected: 1, timeout: .seconds(60))
        await successor.stop()
        #expect(results.map(\.imageId) == [job.imageId])
    }

    @Test("an idle local worker exits 0 after maxEmptyPolls empty polls")
    func idleLocalWorkerExits() async throws {
        let harness = try await WorkerHarness(["worker.maxEmptyPollsBeforeShutdown": "2"])
        let worker = try harness.startWorker("idle")
        #expect(await worker.waitForExit(timeout: .seconds(30)) == 0, "\(worker.output)")
        #expect(worker.output.contains("idle(emptyPolls: 2)"))
    }

    @Test("the optional metrics port reports the worker's counters in Prometheus text format")
    func metricsPort() async throws {
        let harness = try await WorkerHarness(["worker.metricsPort": "0"])
        let photo = try #require(try Photos.all().first)
        try await harness.submit(photo.bytes, fileName: "counted.jpg")
        try await harness.submit(Data("not an image".utf8), fileName: "refused.jpg")
        let worker = try harness.startWorker("metered")
        _ = try await harness.collectResults(expected: 2, timeout: .seconds(60))
        // A result is announced before its job is deleted and counted: poll until both are counted.
        let classified = "apptier_jobs_classified_total{worker=\"local-\(worker.pid)\"} 1"
        let rejected = "apptier_jobs_rejected_total{worker=\"local-\(worker.pid)\"} 1"
        let metrics = try await harness.workerMetrics(of: worker, timeout: .seconds(10)) {
            $0.contains(classified) && $0.contains(rejected)
        }
        await worker.stop()
        let response = try #require(metrics, "no metrics port in the worker's log:\n\(worker.output)")
        let body = response.body
        #expect(response.status == 200)
        #expect(body.contains(classified))
        #expect(body.contains(rejected))
        #expect(body.contains("# TYPE apptier_job_latency_p95_ms gauge"))
    }
}
