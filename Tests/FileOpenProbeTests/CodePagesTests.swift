import CFileOpend
import Foundation
import Testing

/// `cfo_release_code_pages`, which the daemon calls once started (MemoryTuning): tried on this
/// test process, whose executable is the test bundle.
@Suite("Releasing start-up code pages")
struct CodePagesTests {
    /// The resident kilobytes of the executable's read-only mappings (code and constants).
    static func residentCodeKilobytes() throws -> Int {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        var total = 0
        var counting = false
        for line in try String(contentsOfFile: "/proc/self/smaps", encoding: .utf8).split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let range = fields.first, range.contains("-"), fields.count >= 5 {
                counting = fields.count >= 6 && fields[5] == executable && !fields[1].contains("w")
            } else if counting, fields.first == "Rss:", fields.count >= 2, let kilobytes = Int(fields[1]) {
                total += kilobytes
            }
        }
        return total
    }

    @Test("unmaps the executable's read-only pages, which fault back in as code runs")
    func releasesAndKeepsRunning() throws {
        let before = try Self.residentCodeKilobytes()
        let advised = cfo_release_code_pages()
        #expect(advised > 0, "errno \(errno)")
        let after = try Self.residentCodeKilobytes()
        #expect(after < before, "resident code \(before) KiB before, \(after) KiB after")
        // Code that ran before (and so was dropped) runs again.
        #expect(try Self.residentCodeKilobytes() > 0)
    }
}
