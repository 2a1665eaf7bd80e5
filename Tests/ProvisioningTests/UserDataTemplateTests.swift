import Foundation
import Provisioning
import Testing
import TestSupport

@Suite("User data rendered with the bundle's URL and checksum")
struct UserDataTemplateTests {
    static let template: String = {
        (try? String(contentsOf: TestPaths.repositoryRoot.appendingPathComponent("scripts/ami/user-data.sh"), encoding: .utf8)) ?? ""
    }()

    @Test("bash reads back exactly the presigned URL, checksum and tier, and the rest of the script is unchanged")
    func bashReadsTheValues() throws {
        let url = "https://in.s3.us-east-1.amazonaws.com/artifacts/b.tar.gz?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20261204%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=ab12"
        let sha = String(repeating: "a1", count: 32)
        let rendered = try UserDataTemplate.render(Self.template, url: url, sha256: sha, tier: "webtier", startNow: false)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("user-data-\(UUID().uuidString).sh")
        try Data(rendered.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        // The settings block only (the script's main would install): evaluate it with bash itself.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", #"eval "$(grep -E '^(BUNDLE_URL|BUNDLE_SHA256|TIER|START_NOW)=' "$1")"; printf '%s\n' "$BUNDLE_URL" "$BUNDLE_SHA256" "$TIER" "$START_NOW""#, "-", file.path]
        process.environment = ["PATH": "/usr/bin:/bin"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(printed == "\(url)\n\(sha)\nwebtier\nno\n")
        let changed = zip(Self.template.split(separator: "\n"), rendered.split(separator: "\n")).filter { $0 != $1 }
        #expect(changed.count == 4)
    }

    @Test("a value bash would interpret is refused")
    func unsafeValues() {
        for bad in ["https://x/$(reboot)", "https://x/}", "https://x/\"a"] {
            #expect(throws: ProvisioningError.self) {
                _ = try UserDataTemplate.render(Self.template, url: bad, sha256: "00", tier: "apptier")
            }
        }
    }
}
