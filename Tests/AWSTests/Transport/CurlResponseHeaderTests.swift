import Foundation
import Testing
@testable import AWS

/// How response header lines from libcurl become a status and `AWSHeaders` (parsed as bytes).
@Suite("libcurl response header lines")
struct CurlResponseHeaderTests {
    static func receive(_ lines: [String]) throws -> CurlTransfer {
        let transfer = try CurlTransfer(body: .empty, downloadTo: nil, cancellation: CancellationFlag())
        for line in lines {
            Array(line.utf8).withUnsafeBufferPointer { transfer.receiveHeaderLine($0) }
        }
        return transfer
    }

    @Test("status code, names and values with surrounding blanks removed, CRLF dropped")
    func plainBlock() throws {
        let transfer = try Self.receive([
            "HTTP/1.1 200 OK\r\n", "ETag: \"abc\"\r\n", "x-amz-checksum-crc32:\t y/Q5Jg== \t\r\n", "Content-Length: 0\r\n", "\r\n",
        ])
        #expect(transfer.status == 200)
        #expect(transfer.headers["etag"] == "\"abc\"")
        #expect(transfer.headers["X-Amz-Checksum-CRC32"] == "y/Q5Jg==")
        #expect(transfer.headers["Content-Length"] == "0")
        #expect(transfer.headers.count == 3)
    }

    @Test("a status line after 100 Continue (twice, as moto sends it) starts a fresh header block")
    func continueThenFinal() throws {
        let transfer = try Self.receive([
            "HTTP/1.1 100 Continue\r\n", "\r\n", "HTTP/1.1 100 Continue\r\n", "X-Early: 1\r\n", "\r\n",
            "HTTP/1.1 403 Forbidden\r\n", "x-amz-request-id: R1\r\n", "\r\n",
        ])
        #expect(transfer.status == 403)
        #expect(transfer.headers["X-Early"] == nil)
        #expect(transfer.headers["x-amz-request-id"] == "R1")
    }

    @Test("odd lines: a value with colons, an empty value, repeated names, bytes that are not UTF-8, a reason-less status",
          arguments: [
              (["HTTP/1.1 204\r\n", "Location: http://127.0.0.1:5000/a:b\r\n"], 204, "Location", "http://127.0.0.1:5000/a:b"),
              (["HTTP/1.1 200 OK\r\n", "X-Empty:\r\n"], 200, "X-Empty", ""),
              (["HTTP/1.1 200 OK\r\n", "X-Empty:   \r\n"], 200, "X-Empty", ""),
              (["HTTP/2 500 \r\n", "Server:moto\n"], 500, "Server", "moto"),
              (["HTTP/1.1 200 OK\r\n", "X-Bytes: caf\u{E9}\r\n"], 200, "X-Bytes", "caf\u{E9}"),
          ])
    func oddLines(lines: [String], status: Int, name: String, value: String) throws {
        let transfer = try Self.receive(lines)
        #expect(transfer.status == status)
        #expect(transfer.headers[name] == value)
    }

    @Test("a garbled status line gives status 0 (the caller reports it) and a line without a colon is ignored")
    func garbled() throws {
        let transfer = try Self.receive(["HTTP/1.1 abc OK\r\n", "no colon here\r\n", "\u{FF}\r\n"])
        #expect(transfer.status == 0)
        #expect(transfer.headers.count == 0)
        let invalidUTF8 = try CurlTransfer(body: .empty, downloadTo: nil, cancellation: CancellationFlag())
        [UInt8]("X-Raw: ".utf8 + [0xFF, 0x41] + "\r\n".utf8).withUnsafeBufferPointer { invalidUTF8.receiveHeaderLine($0) }
        #expect(invalidUTF8.headers["X-Raw"] == "\u{FFFD}A", "invalid UTF-8 is repaired, not dropped")
    }
}
