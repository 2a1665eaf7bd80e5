import Glibc
import Testing
@testable import HTTPServer

/// A shared memory budget keeps parts (small ones too) in memory while it lasts, a shared spool
/// budget bounds what spills to disk.
extension MultipartReaderTests {
    static let budgetThreshold = 64 * 1024

    static func budgetParts() -> [[UInt8]] {
        [200_000, 10_000, 150_000, 200_000].enumerated().map { index, size in
            (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ index) }
        }
    }

    @Test("parts stay in memory while the budget covers them (joining their pieces included), spool once it does not, and give it back when released",
          arguments: [0, 250_000, 360_000, 1_000_000])
    func budgetDecidesMemoryOrSpool(capacity: Int) async throws {
        let contents = Self.budgetParts()
        let body = multipartBody(boundary: "b", parts: contents.enumerated().map {
            ("form-data; name=\"f\($0.offset)\"; filename=\"f\($0.offset).bin\"", nil, $0.element)
        })
        let spoolDirectory = Self.spoolDirectory
        let budget = MultipartBudget(capacity: capacity)
        let limits = MultipartLimits(memoryThreshold: Self.budgetThreshold, spoolDirectory: spoolDirectory, memoryBudget: budget)
        var parts: [MultipartPart] = []
        for try await part in try reader(body, limits: limits, chunkSize: 8192) { parts.append(part) }

        // What the budget should allow, part by part in arrival order: each part arrives in several
        // pieces, and joining them needs its size once more for a moment.
        var remaining = capacity
        var expectInMemory: [Bool] = []
        for content in contents {
            let fits = 2 * content.count <= remaining
            if fits { remaining -= content.count }
            expectInMemory.append(fits)
        }
        #expect(parts.count == contents.count)
        for (index, part) in parts.enumerated() {
            if case .memory = part.storage { #expect(expectInMemory[index], "part \(index) should have been spooled") } else {
                #expect(!expectInMemory[index], "part \(index) should have stayed in memory")
            }
            #expect(try part.contents() == contents[index])
        }
        #expect(budget.bytesInUse == capacity - remaining, "the budget holds exactly the in-memory parts")
        #expect(budget.bytesInUse <= capacity)
        #expect(spoolFiles(spoolDirectory).count == expectInMemory.filter { !$0 }.count)
        parts.removeAll()
        #expect(budget.bytesInUse == 0, "released parts give their share back")
        #expect(spoolFiles(spoolDirectory).isEmpty)
    }

    @Test("an upload cut off mid-part or stopped by a limit gives its budget back and leaves no file")
    func abandonedUploadReleasesBudget() async throws {
        let spoolDirectory = Self.spoolDirectory
        let budget = MultipartBudget(capacity: 1 << 20)
        var truncated = multipartBody(boundary: "b", parts: [
            ("form-data; name=\"a\"; filename=\"a\"", nil, [UInt8](repeating: 1, count: 300_000)),
            ("form-data; name=\"b\"; filename=\"b\"", nil, [UInt8](repeating: 2, count: 300_000)),
        ])
        truncated.removeLast(100_000)
        let limits = MultipartLimits(memoryThreshold: Self.budgetThreshold, spoolDirectory: spoolDirectory, memoryBudget: budget)
        await #expect(throws: MultipartError.truncated) {
            for try await _ in try reader(truncated, limits: limits) {}
        }
        #expect(budget.bytesInUse == 0)

        var tooLarge = limits
        tooLarge.maxPartBytes = 250_000
        await #expect(throws: MultipartError.partTooLarge(limit: 250_000)) {
            for try await _ in try reader(truncated, limits: tooLarge) {}
        }
        #expect(budget.bytesInUse == 0)
        #expect(spoolFiles(spoolDirectory).isEmpty)
    }

    @Test("one budget shared by concurrent uploads never lends more than its capacity")
    func sharedBudgetIsBounded() async throws {
        let spoolDirectory = Self.spoolDirectory
        let capacity = 700_000
        let budget = MultipartBudget(capacity: capacity)
        let limits = MultipartLimits(memoryThreshold: Self.budgetThreshold, spoolDirectory: spoolDirectory, memoryBudget: budget)
        let content = [UInt8](repeating: 7, count: 200_000)
        let body = multipartBody(boundary: "b", parts: (0..<5).map { ("form-data; name=\"f\($0)\"; filename=\"f\"", nil, content) })
        let held = try await withThrowingTaskGroup(of: [MultipartPart].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var parts: [MultipartPart] = []
                    for try await part in try reader(body, limits: limits, chunkSize: 4096) {
                        #expect(try part.contents() == content)
                        parts.append(part)
                    }
                    return parts
                }
            }
            var all: [MultipartPart] = []
            for try await parts in group { all += parts }
            return all
        }
        let inMemory = held.filter { if case .memory = $0.storage { true } else { false } }.count
        #expect(held.count == 20)
        // Parts reserve as their bytes arrive, so two racing for the last share may both spool.
        #expect(inMemory >= 1 && inMemory * content.count <= capacity, "some parts in memory, never more than the budget")
        #expect(budget.bytesInUse == inMemory * content.count)
        _ = consume held
        #expect(budget.bytesInUse == 0)
        #expect(spoolFiles(spoolDirectory).isEmpty)
    }

    static func heldInMemory(_ parts: [MultipartPart]) -> Int {
        parts.reduce(0) { total, part in if case .memory = part.storage { total + part.size } else { total } }
    }

    @Test("small parts count against the budget: 100 uploads stalled before their closing boundary with 20 small parts each hold at most the budget in memory")
    func stalledSmallPartsStayWithinTheBudget() async throws {
        let spoolDirectory = Self.spoolDirectory
        let capacity = 256 * 1024
        let budget = MultipartBudget(capacity: capacity)
        let limits = MultipartLimits(memoryThreshold: Self.budgetThreshold, spoolDirectory: spoolDirectory, memoryBudget: budget)
        let content = (0..<4000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var stalled = multipartBody(boundary: "b", parts: (0..<20).map { ("form-data; name=\"f\"; filename=\"f\($0).jpg\"", nil, content) })
        // Every part is complete once "CRLF--b" is seen; the client never sends the closing "--CRLF".
        stalled.removeLast(4)
        let body = stalled
        let held = try await withThrowingTaskGroup(of: [MultipartPart].self) { group in
            for _ in 0..<100 {
                group.addTask {
                    // What a server holds for a stalled upload: every part read so far, until it ends.
                    var parts: [MultipartPart] = []
                    do {
                        for try await part in try reader(body, limits: limits, chunkSize: 1500) { parts.append(part) }
                    } catch MultipartError.truncated {}
                    return parts
                }
            }
            var all: [MultipartPart] = []
            for try await parts in group { all += parts }
            return all
        }
        #expect(held.count == 2000)
        #expect(held.allSatisfy { (try? $0.contents()) == content })
        let inMemory = Self.heldInMemory(held)
        #expect(inMemory <= capacity, "\(inMemory) bytes of small parts held in memory, budget \(capacity)")
        #expect(budget.bytesInUse == inMemory)
        #expect(spoolFiles(spoolDirectory).count == held.count - held.filter { if case .memory = $0.storage { true } else { false } }.count)
        _ = consume held
        #expect(budget.bytesInUse == 0)
        #expect(spoolFiles(spoolDirectory).isEmpty)
    }

    @Test("spool files count against the spool budget: past it the upload fails with spoolFull (503), leaves no file, and the budget returns")
    func spoolBudgetRefusesPastItsCapacity() async throws {
        let spoolDirectory = Self.spoolDirectory
        let memory = MultipartBudget(capacity: 0)
        let spool = MultipartBudget(capacity: 300_000)
        let limits = MultipartLimits(memoryThreshold: Self.budgetThreshold, spoolDirectory: spoolDirectory,
                                     memoryBudget: memory, spoolBudget: spool)
        let content = [UInt8](repeating: 9, count: 120_000)
        let body = multipartBody(boundary: "b", parts: (0..<3).map { ("form-data; name=\"f\($0)\"; filename=\"f\"", nil, content) })
        var parts: [MultipartPart] = []
        await #expect(throws: MultipartError.spoolFull(limit: 300_000)) {
            for try await part in try reader(body, limits: limits, chunkSize: 4096) { parts.append(part) }
        }
        #expect(parts.count == 2, "two parts fit on disk, the third does not")
        #expect(spool.bytesInUse == 240_000)
        #expect(spoolFiles(spoolDirectory).count == 2, "the refused part's file is gone")
        #expect(MultipartError.spoolFull(limit: 1).status == .serviceUnavailable)
        parts.removeAll()
        #expect(spool.bytesInUse == 0)
        #expect(memory.bytesInUse == 0)
        #expect(spoolFiles(spoolDirectory).isEmpty)

        let small = MultipartLimits(spoolDirectory: spoolDirectory, memoryBudget: MultipartBudget(capacity: 1 << 20), spoolBudget: spool)
        var fits: [MultipartPart] = []
        for try await part in try reader(body, limits: small) { fits.append(part) }
        #expect(fits.count == 3 && spool.bytesInUse == 0, "nothing spooled while memory covers the parts")
    }
}
