@testable import FileOpenProbe
import CFileOpend
import FileOpenCore
import Testing

@Suite("A process's missed entries in several cgroups")
struct MissedReadingTests {
    static func entry(reads: UInt64, exit: UInt64) -> fileopend_counts {
        var value = fileopend_counts()
        value.reads = reads
        value.exit_ns = exit
        return value
    }

    @Test("its counts add up over its cgroups, and the exit mark of any one of them is its exit, in any order")
    func exitMarkInOneCgroup() {
        let marked = Self.entry(reads: 2, exit: 77), unmarked = Self.entry(reads: 3, exit: 0)
        for order in [[marked, unmarked], [unmarked, marked]] {
            var total: MissedOpens?
            for value in order { FileOpenProgram.add(value, error: 0, to: &total) }
            #expect(total?.opens == 5 && total?.reads == 5)
            #expect(total?.exitedAt == 77)
        }
    }
}
