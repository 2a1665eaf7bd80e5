import AWS
import AWSBackends
import Foundation
import Testing
import TestSupport
import Pipeline

/// A tier's start-up meets AWS as it is: a brief outage (503s, resets) at that moment must not
/// end the process, which would leave a restarted web tier's pages without results.
@Suite("start-up lookups outlast a brief AWS outage")
struct StartupRetryTests {
    /// Clients through `proxy` with the ordinary policy (3 attempts), and a deployment of our own.
    func deployment(through proxy: FaultProxy) throws -> (Configuration, AWSClients) {
        let configuration = try ConfigurationLoader().load(environment: [:], overrides: MotoDeploymentOverrides.isolated("boot").overrides)
        let clients = AWSClients(configuration: AWSClientConfiguration(
            region: MotoServer.region, endpointURL: proxy.endpoint,
            credentialsProvider: StaticCredentialsProvider(MotoServer.testCredentials),
            retryPolicy: AWSRetryPolicy(maxAttempts: configuration.aws.maxAttempts)))
        return (configuration, clients)
    }

    /// Ends the outage after `outage`, counting from now.
    func endOutage(of proxy: FaultProxy, after outage: Duration) -> Task<Void, Never> {
        Task {
            try? await Task.sleep(for: outage)
            proxy.setMode(.pass)
        }
    }

    @Test("the web tier's provisioning waits out 1.5 s of 503s, then its queues work with the ordinary policy")
    func provisioningWaitsOutAnOutage() async throws {
        let moto = try await MotoServer.shared()
        let proxy = try FaultProxy(targetPort: moto.port)
        defer { proxy.stop() }
        let (configuration, clients) = try deployment(through: proxy)
        proxy.setMode(.serviceUnavailable)
        let outage = endOutage(of: proxy, after: .milliseconds(1500))
        let resources = try await ProvisionedResources.prepare(configuration, clients: clients)
        await outage.value
        #expect(proxy.faultCounts["serviceUnavailable", default: 0] >= 3, "the outage met more attempts than the ordinary policy makes")
        #expect(try await resources.requests.send(["after the outage"]).isEmpty)
        #expect(try await resources.requests.depth().visible == 1)
    }

    @Test("a worker's lookups wait out 1.5 s of resets after the request")
    func workerLookupsWaitOutAnOutage() async throws {
        let moto = try await MotoServer.shared()
        let proxy = try FaultProxy(targetPort: moto.port)
        defer { proxy.stop() }
        let (configuration, clients) = try deployment(through: proxy)
        _ = try await ProvisionedResources.prepare(configuration, clients: clients)
        proxy.setMode(.resetAfterRequest)
        let outage = endOutage(of: proxy, after: .milliseconds(1500))
        let resources = try await WorkerResources.find(configuration, clients: clients)
        await outage.value
        #expect(proxy.faultCounts["resetAfterRequest", default: 0] >= 3)
        #expect(resources.inputBucket == configuration.storage.inputBucket)
    }

    @Test("an answer is not retried: a missing queue fails at once")
    func missingQueueFailsAtOnce() async throws {
        let moto = try await MotoServer.shared()
        let proxy = try FaultProxy(targetPort: moto.port)
        defer { proxy.stop() }
        let (configuration, clients) = try deployment(through: proxy)
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: MissingResourcesError.self) { try await WorkerResources.find(configuration, clients: clients) }
        #expect(clock.now - start < .seconds(5))
        #expect(proxy.tally.count("GetQueueUrl") == 2, "one request per queue, none repeated")
    }
}
