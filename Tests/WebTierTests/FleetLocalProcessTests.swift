import Foundation
import Pipeline
import Testing
import TestSupport
@testable import WebTier
#if canImport(Glibc)
import Glibc
#endif

/// `LocalProcessFleet` with real `apptier` workers against moto.
@Suite("LocalProcessFleet with real apptier workers", .serialized)
struct FleetLocalProcessTests {
    @Test("two workers launch running, classify jobs, idle out and disappear from the fleet")
    func workersProcessJobsAndIdleOut() async throws {
        let deployment = try await FleetTestDeployment(["worker.maxEmptyPollsBeforeShutdown": "3"])
        let fleet = try deployment.localFleet()
        let launched = try await fleet.launch(count: 2)
        #expect(launched.map(\.state) == [.running, .running])
        #expect(launched.map(\.name) == ["app-tier-1", "app-tier-2"])
        #expect(launched.allSatisfy { $0.id.hasPrefix("local-") })
        let pids = await fleet.processIDs()
        #expect(pids.count == 2)
        #expect(pids.allSatisfy(processExists))
        #expect(Set(try await fleet.instances().map(\.id)) == Set(launched.map(\.id)))

        let jobs = try await deployment.submit(try FleetPhotos.first(3))
        let results = try await deployment.collectResults(expected: jobs.count, timeout: .seconds(90))
        #expect(Set(results.map(\.imageId)) == Set(jobs.map(\.imageId)), "\(deployment.workerLogs())")
        #expect(results.allSatisfy { $0.error == nil && $0.label != nil && !$0.top5.isEmpty }, "\(results)")

        // 3 empty 1-second polls, then each worker exits 0 and the next listing reaps it.
        let emptied = try await FleetTestDeployment.eventually(timeout: .seconds(45)) {
            try await fleet.instances().isEmpty
        }
        #expect(emptied, "\(deployment.workerLogs())")
        let exits = await fleet.recentExits()
        #expect(Set(exits.map(\.id)) == Set(launched.map(\.id)))
        #expect(exits.allSatisfy { $0.status == 0 }, "\(exits)")
        #expect(pids.allSatisfy { !processExists($0) }, "reaped, no zombie left")
    }

    @Test("terminate sends SIGTERM: the worker drains, exits 0, and is listed shutting-down until reaped")
    func terminateDrainsWithSIGTERM() async throws {
        let deployment = try await FleetTestDeployment(["worker.maxEmptyPollsBeforeShutdown": "1000"])
        let fleet = try deployment.localFleet()
        let launched = try await fleet.launch(count: 2)
        // Let them get past start-up (model load) into their poll loop.
        let started = await FleetTestDeployment.eventually(timeout: .seconds(30)) {
            await Self.logsContain("worker started", of: launched, in: fleet)
        }
        #expect(started, "\(deployment.workerLogs())")
        try await fleet.terminate(ids: [launched[0].id])
        let listing = try await fleet.instances()
        let victim = listing.first { $0.id == launched[0].id }
        #expect(victim == nil || victim?.state == .shuttingDown)
        #expect(listing.first { $0.id == launched[1].id }?.state == .running)

        let gone = try await FleetTestDeployment.eventually(timeout: .seconds(20)) {
            try await fleet.instances().map(\.id) == [launched[1].id]
        }
        #expect(gone, "\(deployment.workerLogs())")
        #expect(await fleet.recentExits().map(\.status) == [0], "SIGTERM drains and exits 0: \(deployment.workerLogs())")
        await fleet.shutdown()
    }

    @Test("shutdown stops every worker and leaves no process behind; later launches are refused")
    func shutdownLeavesNoProcess() async throws {
        let deployment = try await FleetTestDeployment(["worker.maxEmptyPollsBeforeShutdown": "1000"])
        let fleet = try deployment.localFleet(grace: .seconds(10))
        let launched = try await fleet.launch(count: 2)
        let pids = await fleet.processIDs()
        #expect(pids.count == 2)
        let started = await FleetTestDeployment.eventually(timeout: .seconds(30)) {
            await Self.logsContain("worker started", of: launched, in: fleet)
        }
        #expect(started, "\(deployment.workerLogs())")
        await fleet.shutdown()
        #expect(await fleet.processIDs().isEmpty)
        #expect(pids.allSatisfy { !processExists($0) }, "no worker and no zombie left")
        #expect(try await fleet.instances().isEmpty)
        #expect(Set(await fleet.recentExits().map(\.status)).isSubset(of: [0, 128 + SIGKILL]))
        await #expect(throws: FleetError.self) { _ = try await fleet.launch(count: 1) }
    }

    @Test("a worker that refuses to drain is killed, with its process group, after the grace period")
    func stuckWorkerIsKilledAfterGrace() async throws {
        let deployment = try await FleetTestDeployment()
        // A shell that ignores SIGTERM and waits on a child that inherits that: a worker stuck hard.
        // It creates `ready` once the trap is set.
        let script = try deployment.scratchFile("stubborn.sh")
        let ready = try deployment.scratchFile("stubborn.ready")
        try Data("#!/bin/sh\ntrap '' TERM\n: > '\(ready.path)'\nsleep 60 & wait\nsleep 60\n".utf8).write(to: script)
        chmod(script.path, 0o755)
        defer {
            try? FileManager.default.removeItem(at: script)
            try? FileManager.default.removeItem(at: ready)
        }
        let fleet = LocalProcessFleet(launch: .init(
            executable: script, arguments: [], environment: FleetTestDeployment.workerEnvironment,
            logDirectory: deployment.logDirectory, terminationGrace: .milliseconds(500)),
            logger: FleetTestDeployment.logger)
        let launched = try await fleet.launch(count: 1)
        let trapped = await FleetTestDeployment.eventually(timeout: .seconds(10)) {
            FileManager.default.fileExists(atPath: ready.path)
        }
        try #require(trapped, "the stubborn worker never started")
        try await fleet.terminate(ids: launched.map(\.id))
        let gone = try await FleetTestDeployment.eventually(timeout: .seconds(10)) { try await fleet.instances().isEmpty }
        #expect(gone)
        #expect(await fleet.recentExits().map(\.status) == [128 + SIGKILL])
        let group = try #require(LocalProcessFleet.pid(of: launched[0].id))
        let groupGone = await FleetTestDeployment.eventually(timeout: .seconds(5)) { kill(-group, 0) != 0 }
        #expect(groupGone, "the worker's own children are killed with it")
        await fleet.shutdown()
    }

    @Test("workers inherit no descriptor of the web tier beyond stdin, stdout and stderr")
    func workersInheritNoDescriptors() async throws {
        let deployment = try await FleetTestDeployment()
        // A descriptor without close-on-exec, as a listening socket opened without SOCK_CLOEXEC would be.
        let opened = open("/dev/null", O_RDONLY)
        try #require(opened >= 0)
        let leaky: Int32 = 987
        try #require(dup2(opened, leaky) == leaky)
        close(opened)
        defer { close(leaky) }
        let script = try deployment.scratchFile("fds.sh")
        try Data("#!/bin/sh\nls /proc/$$/fd\necho done\n".utf8).write(to: script)
        chmod(script.path, 0o755)
        defer { try? FileManager.default.removeItem(at: script) }
        let fleet = LocalProcessFleet(launch: .init(
            executable: script, arguments: [], environment: FleetTestDeployment.workerEnvironment,
            logDirectory: deployment.logDirectory), logger: FleetTestDeployment.logger)
        let launched = try #require(try await fleet.launch(count: 1).first)
        let exited = try await FleetTestDeployment.eventually(timeout: .seconds(10)) { try await fleet.instances().isEmpty }
        #expect(exited)
        let log = try String(contentsOf: try #require(await fleet.logFile(of: launched.id)), encoding: .utf8)
        let descriptors = log.split(separator: "\n").filter { $0.allSatisfy(\.isNumber) }.map { String($0) }
        #expect(log.contains("done"), "\(log)")
        #expect(["0", "1", "2"].allSatisfy(descriptors.contains), "\(descriptors)")
        #expect(!descriptors.contains("\(leaky)"), "the web tier's descriptor leaked into the worker: \(descriptors)")
    }

    @Test("a restarted web tier adopts the local workers still running instead of launching duplicates")
    func restartedFleetAdoptsRunningWorkers() async throws {
        let deployment = try await FleetTestDeployment(["worker.maxEmptyPollsBeforeShutdown": "1000"])
        let first = try deployment.localFleet()
        let launched = try await first.launch(count: 2)
        let pids = await first.processIDs()
        // The web tier goes away without a shutdown (a crash); its workers keep running.
        let second = try deployment.localFleet()
        let adopted = try await second.instances()
        #expect(Set(adopted.map(\.id)) == Set(launched.map(\.id)), "the running workers are adopted")
        #expect(adopted.allSatisfy { $0.state == .running })
        let more = try await second.launch(count: 1)
        #expect(more.map(\.name) == ["app-tier-3"], "new names do not collide with adopted ones")

        await second.shutdown()
        // The first fleet object is their parent here: let it reap them, then nothing is left.
        let reaped = try await FleetTestDeployment.eventually(timeout: .seconds(20)) {
            _ = try await first.instances()
            return pids.allSatisfy { !processExists($0) }
        }
        #expect(reaped, "adopted workers were stopped by the second fleet's shutdown")
        let third = try deployment.localFleet()
        #expect(try await third.instances().isEmpty, "a stopped fleet leaves nothing to adopt")
    }

    @Test("a recorded pid that now belongs to another process is not adopted")
    func reusedPidsAreNotAdopted() async throws {
        let registry = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: registry) }
        let me = getpid()
        let realStart = try #require(LocalFleetRegistry.startTime(of: me))
        LocalFleetRegistry(file: registry).save([
            .init(pid: me, name: "app-tier-1", launchedAt: 0, startTime: realStart + 1),
        ])
        let fleet = LocalProcessFleet(launch: .init(
            executable: URL(fileURLWithPath: "/bin/true"), arguments: [], environment: [:],
            logDirectory: FileManager.default.temporaryDirectory, registryFile: registry))
        #expect(try await fleet.instances().isEmpty, "same pid, different start time: not our worker")
        #expect(LocalFleetRegistry(file: registry).load().isEmpty, "and it is forgotten")
    }

    @Test("a missing worker binary is a misconfiguration, not a crash")
    func missingExecutableIsMisconfigured() async throws {
        let fleet = LocalProcessFleet(launch: .init(
            executable: URL(fileURLWithPath: "/nonexistent/apptier"), arguments: [], environment: [:],
            logDirectory: FileManager.default.temporaryDirectory))
        do throws(FleetError) {
            _ = try await fleet.launch(count: 2)
            Issue.record("launch succeeded without a binary")
        } catch {
            guard case let .misconfigured(reason) = error else { Issue.record("unexpected \(error)"); return }
            #expect(reason.contains("/nonexistent/apptier"))
            #expect(reason.contains("fleet.workerExecutable"))
        }
        #expect(try await fleet.instances().isEmpty)
    }

    /// Whether every worker's log has `text` (a line the app tier logs).
    static func logsContain(_ text: String, of instances: [FleetInstance], in fleet: LocalProcessFleet) async -> Bool {
        for instance in instances {
            guard let file = await fleet.logFile(of: instance.id),
                  let log = try? String(contentsOf: file, encoding: .utf8), log.contains(text) else { return false }
        }
        return true
    }
}
