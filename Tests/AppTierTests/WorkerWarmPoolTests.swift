import AppTier
import AWS
import Foundation
import Logging
import Pipeline
import Testing
import TestSupport

/// The idle rule's last step on EC2: a warm-pool member stops its own instance, any other
/// instance is terminated.
@Suite("Worker idle shutdown: stop when a warm-pool member, terminate otherwise")
struct WorkerWarmPoolTests {
    let ec2: EC2Client

    init() async throws {
        ec2 = EC2Client(configuration: try await MotoServer.shared().configuration())
    }

    /// Launches one instance with `tags`, runs the worker's idle shutdown as that instance (its
    /// own metadata endpoint), and returns the instance's state afterwards.
    func idleOut(tags: [String: String]) async throws -> (exit: Int32, state: EC2InstanceState?) {
        let launched = try await ec2.runInstances(EC2RunInstancesRequest(imageId: "ami-03cf127a", instanceType: "t3.micro",
                                                                         tags: tags))
        let id = try #require(launched.first?.instanceId)
        let endpoint = try InstanceMetadataEndpoint(instanceID: id)
        defer { endpoint.stop() }
        let shutdown = EC2IdleShutdown(metadata: IMDSClient(endpoint: endpoint.endpoint, environment: [:]), ec2: ec2, attempts: 1)
        let exit = await shutdown.shutDownIdleWorker(logger: Logger(label: "test.idle"))
        let state = try await ec2.describeInstances(instanceIds: [id]).instances.first?.state
        if state == .stopped { try await ec2.terminateInstances([id]) }
        return (exit, state)
    }

    @Test("a member of the warm pool stops its instance")
    func memberStops() async throws {
        let (exit, state) = try await idleOut(tags: ["Name": "app-tier-1", WarmPoolTag.key: WarmPoolTag.value])
        #expect(exit == 0)
        #expect(state == .stopped || state == .stopping)
    }

    @Test("an instance without the pool tag (or with another value) terminates")
    func othersTerminate() async throws {
        for tags in [["Name": "app-tier-2"], ["Name": "app-tier-3", WarmPoolTag.key: "retired"]] {
            let (exit, state) = try await idleOut(tags: tags)
            #expect(exit == 0)
            #expect(state == .terminated || state == .shuttingDown)
        }
    }
}
