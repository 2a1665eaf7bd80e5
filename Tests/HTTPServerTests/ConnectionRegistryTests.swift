import Testing
@testable import HTTPServer

/// The registry's bookkeeping, without sockets: descriptors are just numbers here.
@Suite struct ConnectionRegistryTests {
    static let hostA = try! SocketAddress(host: "127.0.0.2", port: 1).hostIdentity
    static let hostB = try! SocketAddress(host: "127.0.0.3", port: 1).hostIdentity

    @Test("a descriptor number reused before the old entry is removed keeps both entries apart")
    func reusedDescriptorNumber() throws {
        let registry = ConnectionRegistry()
        // The first connection closed its socket (descriptor 7) and the kernel handed 7 to the
        // next client before the first connection left the registry.
        let first = try registry.admit(Socket(fileDescriptor: 7), from: Self.hostA, limit: 10, perHostLimit: nil).get()
        let second = try registry.admit(Socket(fileDescriptor: 7), from: Self.hostA, limit: 10, perHostLimit: nil).get()
        #expect(registry.count == 2)
        registry.remove(first)
        #expect(registry.count == 1)
        #expect(registry.count(from: Self.hostA) == 1)
        #expect(registry.allSockets() == [Socket(fileDescriptor: 7)])
        registry.remove(second)
        registry.remove(second)  // twice is harmless
        #expect(registry.count == 0)
        #expect(registry.count(from: Self.hostA) == 0)
    }

    @Test("per-address and total caps refuse with their reason; a freed slot admits again")
    func caps() throws {
        let registry = ConnectionRegistry()
        let a1 = try registry.admit(Socket(fileDescriptor: 1), from: Self.hostA, limit: 3, perHostLimit: 2).get()
        _ = try registry.admit(Socket(fileDescriptor: 2), from: Self.hostA, limit: 3, perHostLimit: 2).get()
        #expect(registry.admit(Socket(fileDescriptor: 3), from: Self.hostA, limit: 3, perHostLimit: 2)
                    .map { _ in 0 } == .failure(.addressAtCapacity(limit: 2)))
        _ = try registry.admit(Socket(fileDescriptor: 4), from: Self.hostB, limit: 3, perHostLimit: 2).get()
        #expect(registry.admit(Socket(fileDescriptor: 5), from: Self.hostB, limit: 3, perHostLimit: 2)
                    .map { _ in 0 } == .failure(.atCapacity(limit: 3)))
        registry.remove(a1)
        #expect(throws: Never.self) { try registry.admit(Socket(fileDescriptor: 6), from: Self.hostA, limit: 3, perHostLimit: 2).get() }
    }

    @Test("a stop returns the idle connections only, refuses new ones, and tells later idlers to close")
    func stopSeesIdleConnections() throws {
        let registry = ConnectionRegistry()
        let idle = try registry.admit(Socket(fileDescriptor: 3), from: Self.hostA, limit: 10, perHostLimit: nil).get()
        let busy = try registry.admit(Socket(fileDescriptor: 4), from: Self.hostA, limit: 10, perHostLimit: nil).get()
        let late = try registry.admit(Socket(fileDescriptor: 5), from: Self.hostA, limit: 10, perHostLimit: nil).get()
        #expect(registry.markIdle(idle))
        #expect(registry.markIdle(busy))
        registry.markBusy(busy)
        #expect(!registry.isStopping)
        #expect(registry.beginStopping() == [Socket(fileDescriptor: 3)])
        #expect(registry.isStopping)
        #expect(!registry.markIdle(late), "a connection going idle after the stop must close instead")
        #expect(registry.admit(Socket(fileDescriptor: 6), from: Self.hostB, limit: 10, perHostLimit: nil)
                    .map { _ in 0 } == .failure(.stopping))
    }

    @Test("the descriptor map keeps values by number, grows, and forgets")
    func descriptorMap() {
        var map = DescriptorMap<String>()
        #expect(map[0] == nil && map[1_000] == nil && map.entries.map(\.fd).isEmpty)
        map[2] = "two"
        map[700] = "seven hundred"
        map[2] = "deux"
        #expect(map[2] == "deux" && map[700] == "seven hundred" && map[3] == nil)
        #expect(map.entries.map(\.fd) == [2, 700])
        #expect(map.removeValue(forKey: 2) == "deux")
        #expect(map.removeValue(forKey: 2) == nil)
        map[9_999] = nil  // clearing an absent far descriptor allocates nothing and changes nothing
        #expect(map.entries.map(\.fd) == [700] && map[700] == "seven hundred")
        map.removeAll()
        #expect(map.entries.map(\.fd).isEmpty && map[700] == nil)
    }

    @Test("IPv4 and its IPv4-mapped IPv6 spelling count as one address; ports do not matter")
    func hostIdentity() throws {
        let v4 = try SocketAddress(host: "192.0.2.7", port: 80).hostIdentity
        #expect(v4 == (try SocketAddress(host: "::ffff:192.0.2.7", port: 9).hostIdentity))
        #expect(v4 != (try SocketAddress(host: "192.0.2.8", port: 80).hostIdentity))
        #expect((try SocketAddress(host: "::1", port: 1).hostIdentity) != (try SocketAddress(host: "::2", port: 1).hostIdentity))
    }
}
