import Glibc
import Testing
@testable import HTTPServer

/// A shared memory budget lets parts past `memoryThreshold` skip the spool file while it lasts.
extension MultipartReaderTests {
    static let budgetThreshold = 64 * 1024

    static func budgetParts() -> [[UInt8]] {
        [200_000, 10_000, 150_000, 200_000].enumerated().map { index, size in
            (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ index) }
        }
    }

    @Test("parts past the threshold stay in memory while the budget covers them, spool once it does not, and give it back when released",
          arguments: [0, 250_000, 360_000, 1_000_000])
    func budgetDecidesMemoryOrSpool(capacity: Int) async throws {
        let contents = Self.budgetParts()
        let body = multipartBody(boundary: "b", parts: contents.enumerated().map {
            ("form-data; name=\"f\($0.offset)\"; filename=\"f\($0.offset).bin\"", nil, $0.element)
        })
        let spoolDirectory = Self.spoolDirectory
        let budget = MultipartMemoryBudget(capacity: capacity)
        let limits = MultipartLimits(memoryThreshold: Self.budgetThreshold, spoolDirectory: spoolDirectory, memoryBudget: budget)
        var parts: [MultipartPart] = []
        for try await part in try reader(body, limits: limits, chunkSize: 8192) { parts.append(part) }

        // What the budget should allow, part by part in arrival order.
        var remaining = capacity
        var expectInMemory: [Bool] = []
        for content in contents {
            let fits = content.count <= Self.budgetThreshold || content.count <= remaining
            if content.count > Self.budgetThreshold && fits { remaining -= content.count }
            expectInMemory.append(fits)
        }
        #expect(parts.count == contents.count)
        for (index, part) in parts.enumerated() {
            if case .memory = part.storage { #expect(expectInMemory[index], "part \(index) should have been spooled") } else {
                #expect(!expectInMemory[index], "part \(index) should have stayed in memory")
            }
            #expect(try part.contents() == contents[index])
        }
        #expect(budget.bytesInUse == capacity - remaining, "the budget holds exactly the in-memory parts past the threshold")
        #expect(budget.bytesInUse <= capacity)
        #expect(spoolFiles(spoolDirectory).count == expectInMemory.filter { !$0 }.count)
        parts.removeAll()
        #expect(budget.bytesInUse == 0, "released parts give their share back")
        #expect(spoolFiles(spoolDirectory).isEmpty)
    }

    @Test("an upload cut off mid-part or stopped by a limit gives its budget back and leaves no file")
    func abandonedUploadReleasesBudget() async throws {
        let spoolDirectory = Self.spoolDirectory
        let budget = MultipartMemoryBudget(capacity: 1 << 20)
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
        let budget = MultipartMemoryBudget(capacity: capacity)
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
}
