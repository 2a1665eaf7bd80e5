import AWS
import Foundation
import Testing
import TestSupport

/// StopInstances and StartInstances against a real moto server, and their requests offline.
@Suite("EC2 stop and start against moto")
struct EC2PowerMotoTests {
    let server: MotoServer
    let ec2: EC2Client

    init() async throws {
        server = try await MotoServer.shared()
        ec2 = EC2Client(configuration: server.configuration())
    }

    func state(of id: String) async throws -> EC2InstanceState? {
        try await ec2.describeInstances(instanceIds: [id]).instances.first?.state
    }

    @Test("StopInstances stops, StartInstances starts the same instance again (tags and id kept)")
    func stopThenStart() async throws {
        let marker = MotoNames.unique("pool")
        let launched = try await ec2.runInstances(EC2RunInstancesRequest(
            imageId: EC2MotoTests.imageId, instanceType: "t3.micro", tags: ["Pool": marker]))
        let id = try #require(launched.first?.instanceId)

        let stopped = try await ec2.stopInstances([id])
        #expect(stopped.map(\.instanceId) == [id])
        #expect(stopped.first?.previousState == .running)
        #expect(stopped.first?.currentState == .stopping || stopped.first?.currentState == .stopped)
        #expect(try await state(of: id) == .stopped)
        let found = try await ec2.describeAllInstances(filters: [.tag("Pool", marker), .state(.stopped)])
        #expect(found.map(\.instanceId) == [id])

        let started = try await ec2.startInstances([id])
        #expect(started.map(\.instanceId) == [id])
        #expect(started.first?.previousState == .stopped)
        #expect(started.first?.currentState == .pending || started.first?.currentState == .running)
        #expect(try await state(of: id)?.isActive == true)
        try await ec2.terminateInstances([id])
    }

    @Test("stopping or starting an unknown instance is a typed not-found error")
    func unknownInstance() async throws {
        for call in [ec2.stopInstances, ec2.startInstances] {
            do {
                _ = try await call(["i-0123456789abcdef0"])
                Issue.record("an unknown instance id was accepted")
            } catch EC2Error.instanceNotFound {
                // expected
            }
        }
    }

    @Test("the requests list every id and refuse an empty list before sending")
    func requests() throws {
        let stop = try EC2RequestBuilder.stopInstances(["i-1", "i-2"])
        let start = try EC2RequestBuilder.startInstances(["i-3"])
        #expect(try EC2UnitTests.parameters(stop)
            == ["Action": "StopInstances", "Version": "2016-11-15", "InstanceId.1": "i-1", "InstanceId.2": "i-2"])
        #expect(try EC2UnitTests.parameters(start) == ["Action": "StartInstances", "Version": "2016-11-15", "InstanceId.1": "i-3"])
        #expect(throws: EC2Error.self) { try EC2RequestBuilder.stopInstances([]) }
        #expect(throws: EC2Error.self) { try EC2RequestBuilder.startInstances([]) }
    }

    @Test("a StopInstances response's state changes are read, a foreign root refused")
    func parse() throws {
        let body = Data("""
        <StopInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId>
        <instancesSet><item><instanceId>i-1</instanceId><currentState><code>64</code><name>stopping</name></currentState>
        <previousState><code>16</code><name>running</name></previousState></item></instancesSet></StopInstancesResponse>
        """.utf8)
        let changes = try EC2ResponseParser.stopInstances(body)
        #expect(changes.map(\.instanceId) == ["i-1"])
        #expect(changes.first?.previousState == .running && changes.first?.currentState == .stopping)
        #expect(throws: EC2Error.self) { try EC2ResponseParser.startInstances(body) }
    }
}
