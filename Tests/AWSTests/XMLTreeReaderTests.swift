import Foundation
import Testing
@testable import AWS

@Suite("XML tree reader and writer")
struct XMLTreeReaderTests {
    @Test("local names match whatever the namespace or prefix (moto's EC2 namespace lacks the trailing /)")
    func localNames() throws {
        let document = """
            <?xml version="1.0" encoding="UTF-8"?>
            <DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15">
              <ec2:reservationSet xmlns:ec2="urn:x"><ec2:item><instanceId>i-1</instanceId></ec2:item></ec2:reservationSet>
            </DescribeInstancesResponse>
            """
        let root = try XMLTreeReader.parse(document)
        #expect(root.name == "DescribeInstancesResponse")
        #expect(root.items(in: "reservationSet").first?.text(of: "instanceId") == "i-1")
    }

    @Test("text keeps entities, CDATA and non-ASCII; attributes are read")
    func textAndAttributes() throws {
        let root = try XMLTreeReader.parse(#"<a kind="x&amp;y"><b>1 &lt; 2 &amp; "ü"</b><c><![CDATA[<raw>]]></c></a>"#)
        #expect(root.attributes["kind"] == "x&y")
        #expect(root.text(of: "b") == "1 < 2 & \"ü\"")
        #expect(root.text(of: "c") == "<raw>")
        #expect(root.text(of: "missing") == nil)
    }

    @Test("hostile or broken documents are refused with an error, never half-parsed",
          arguments: [
            "",                                   // empty body
            "   \n",                              // whitespace only
            "<a><b>x</b>",                        // truncated: root never closed
            "<a></b>",                            // mismatched tags
            "<a/><b/>",                           // two roots
            "not xml at all",                     // no markup
            "<a><b attr=\"unterminated></b></a>",  // broken attribute
            "<Error><Code>NoSuchKey</Code>",      // truncated error body
          ])
    func malformed(document: String) {
        #expect(throws: XMLReadError.self) { try XMLTreeReader.parse(document) }
    }

    @Test("every truncation of a real response is refused, never read as a shorter valid document")
    func everyTruncation() throws {
        let document = Array("""
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><IsTruncated>false</IsTruncated>\
            <Contents><Key>a &amp; b.txt</Key><Size>5</Size></Contents><Contents><Key>c</Key><Size>0</Size></Contents>\
            </ListBucketResult>
            """.utf8)
        #expect(try XMLTreeReader.parse(Data(document)).children(named: "Contents").count == 2)
        // Cutting before the final '>' must always fail: the root cannot have closed yet.
        let lastClose = try #require(document.lastIndex(of: UInt8(ascii: ">")))
        var accepted: [Int] = []
        for length in 0..<lastClose where (try? XMLTreeReader.parse(Data(document[..<length]))) != nil {
            accepted.append(length)
        }
        #expect(accepted.isEmpty, "prefixes read as complete documents: \(accepted)")
    }

    @Test("external entities are not resolved (no XXE)")
    func externalEntities() {
        let document = """
            <?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>
            """
        // Either refused or read without the file's contents: never the contents.
        if let root = try? XMLTreeReader.parse(document) {
            #expect(!root.text.contains("root:"))
        }
    }

    @Test("writer output round-trips through the reader",
          arguments: ["plain", "a<b>&c\"d'e", "ünïcödé ✓", "tab\tnew\nline", "cr\r\nlf", "]]>", " padded "])
    func writerRoundTrip(text: String) throws {
        var writer = XMLWriter()
        writer.element("Root", namespace: "urn:test") { $0.element("Value", text: text) }
        let root = try XMLTreeReader.parse(writer.output)
        #expect(root.text(of: "Value") == text)
    }

    @Test("writer escapes every markup character")
    func escaping() {
        #expect(XMLWriter.escape(#"<a href="x">&'"#) == "&lt;a href=&quot;x&quot;&gt;&amp;&apos;")
    }
}
