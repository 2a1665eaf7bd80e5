import Testing
@testable import Vision

/// Cuts a JPEG into its scans, for tests that repeat or drop scans.
enum JPEGScans {
    /// The bytes before the first start-of-scan, and each scan with the table segments before it.
    static func split(_ jpeg: [UInt8]) throws -> (head: [UInt8], scans: [[UInt8]]) {
        var offset = 2, head: [UInt8]?, scans: [[UInt8]] = [], pending: [UInt8] = []
        while offset + 4 <= jpeg.count, jpeg[offset] == 0xFF, jpeg[offset + 1] != 0xD9 {
            let length = Int(jpeg[offset + 2]) << 8 | Int(jpeg[offset + 3])
            var end = offset + 2 + length
            if jpeg[offset + 1] == 0xDA {
                // Entropy-coded data runs to the next marker other than a stuffed zero or a restart.
                while end + 1 < jpeg.count, !(jpeg[end] == 0xFF && jpeg[end + 1] != 0 && !(0xD0...0xD7).contains(jpeg[end + 1])) {
                    end += 1
                }
                if head == nil { head = Array(jpeg[0..<offset]) }
                scans.append(pending + jpeg[offset..<end])
                pending = []
            } else if head != nil {
                pending += jpeg[offset..<end]
            }
            offset = end
        }
        return (try #require(head, "no start of scan"), scans)
    }


    /// Expects `jpeg` to be refused, as corrupt, for having more scans than the decoder allows.
    static func expectRefusedForScanCount(_ jpeg: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try ImageDecoder(options: DecodingOptions(jpegMinimumShorterSide: nil)).decode(jpeg)
            Issue.record("a stream over the scan limit was decoded", sourceLocation: sourceLocation)
        } catch {
            guard case .corrupt(.jpeg, let reason) = error else {
                Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
                return
            }
            #expect(reason.contains("more than \(JPEGDecoder.maxScans) scans"), "\(reason)", sourceLocation: sourceLocation)
        }
    }
}
