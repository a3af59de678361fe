import FileOpenSystem
import Foundation
import Testing

@Suite("Huge pages for large buffers")
struct HugePagesTests {
    /// The `VmFlags` of the mapping that holds `address`, from /proc/self/smaps (read to its end:
    /// `String(contentsOfFile:)` stops after the first read of a /proc file).
    static func flags(of address: UnsafeRawPointer) throws -> [Substring] {
        let target = UInt(bitPattern: address)
        let smaps = try #require(FileHandle(forReadingAtPath: "/proc/self/smaps")).readDataToEndOfFile()
        var inside = false
        for line in String(decoding: smaps, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let range = fields.first, fields.count >= 5, range.contains("-") {
                let bounds = range.split(separator: "-").compactMap { UInt($0, radix: 16) }
                inside = bounds.count == 2 && (bounds[0]..<bounds[1]).contains(target)
            } else if inside, fields.first == "VmFlags:" {
                return Array(fields.dropFirst())
            }
        }
        return []
    }

    @Test("A buffer of two huge pages or more is advised (VmFlags hg); a smaller one is left alone")
    func advice() throws {
        let large = UnsafeMutableRawPointer.allocate(byteCount: 8 * HugePages.size, alignment: 16)
        defer { large.deallocate() }
        HugePages.advise(large, capacity: 8 * HugePages.size)
        let middle = large + 4 * HugePages.size
        #expect(try Self.flags(of: middle).contains("hg"))

        let small = UnsafeMutableRawPointer.allocate(byteCount: HugePages.size, alignment: 16)
        defer { small.deallocate() }
        HugePages.advise(small, capacity: HugePages.size)
        #expect(try !Self.flags(of: small).contains("hg"))
    }
}
