import CTestSupport
import FileOpenCore
import FileOpenProbe
import FileOpenTestSupport
import Foundation
import Testing

/// The kernel program's filters on this kernel, with the tracepoint mode's arguments read at exit
/// (filters judged at exit) and parked at entry (judged at entry, as in the kprobe mode: a
/// filtered open never reaches the pending map), at both detail levels: an excluded open reaches
/// neither the ring nor the missed map and counts once under its kind; a live change applies.
@Suite(
    "Filters in the kernel",
    .serialized,
    .enabled(if: TestEnvironment.canRunKernelTests, Comment(rawValue: TestEnvironment.kernelTestsSkipReason))
)
struct FilterTests {
    static let count = 25

    /// The opens the probe reported for `pid` (records at the events level, kernel counts at the
    /// counts level), once its exit arrived.
    static func reported(_ harness: ProbeHarness, pid: Int32, level: DetailLevel) throws -> Int {
        #expect(TestEnvironment.waitUntil { !harness.exits(of: pid).isEmpty }, "the exit of \(pid)")
        let records = harness.opens { $0.process.pid == pid }.count
        let counted = try harness.probe.missedOpens().processes.first { $0.key.pid == pid }?.value.opens ?? 0
        return records + Int(counted)
    }

    @Test("exclude comm, then failed-only by a live change: filtered opens in no record and no count, exactly counted by kind",
          arguments: [DetailLevel.events, .counts], [true, false])
    func excludedNowhere(level: DetailLevel, argumentsAtExit: Bool) throws {
        let directory = try TestEnvironment.makeScratchDirectory("filters")
        defer { try? FileManager.default.removeItem(at: directory) }
        let present = directory.appendingPathComponent("present").path
        _ = FileManager.default.createFile(atPath: present, contents: Data())
        let missing = directory.appendingPathComponent("missing").path
        let (excluded, kept) = (uniqueComm("fo-fx"), uniqueComm("fo-fk"))
        var settings = DetailLevelTests.settings(level, argumentsAtExit: argumentsAtExit)
        settings.filters = try OpenFilters(parsing: ["exclude comm=\(excluded)"])
        let harness = try ProbeHarness(settings: settings)
        defer { harness.close() }
        #expect(harness.probe.filters.items == ["exclude comm=\(excluded)"])

        let before = try harness.probe.filteredCounts()
        let excludedPID = MetricsLikeOpener.run(excluded, CTS_OPENAT, missing, O_RDONLY, Self.count)
        let keptPID = MetricsLikeOpener.run(kept, CTS_OPENAT, missing, O_RDONLY, Self.count)
        #expect(try Self.reported(harness, pid: keptPID, level: level) == Self.count)
        #expect(try Self.reported(harness, pid: excludedPID, level: level) == 0)
        let after = try harness.probe.filteredCounts()
        #expect(after[.comm]! - before[.comm]! == UInt64(Self.count), "each excluded open counted once, under comm")
        #expect(try harness.probe.dropCounts()[.pendingMapFull] == 0)

        // Live: failed-only replaces the comm filter; the excluded comm counts again, successes do not.
        try harness.probe.setFilters(try OpenFilters(parsing: ["failed-only"]), hierarchy: CgroupHierarchy.detect())
        #expect(harness.probe.filters.items == ["failed-only"])
        let succeedingPID = MetricsLikeOpener.run(kept, CTS_OPENAT, present, O_RDONLY, Self.count)
        let failingPID = MetricsLikeOpener.run(excluded, CTS_OPENAT, missing, O_RDONLY, Self.count)
        #expect(try Self.reported(harness, pid: failingPID, level: level) == Self.count)
        #expect(try Self.reported(harness, pid: succeedingPID, level: level) == 0)
        #expect(try harness.probe.filteredCounts()[.succeeded]! >= UInt64(Self.count))
        #expect(try harness.probe.filteredCounts()[.comm] == after[.comm], "the comm filter is gone")
    }

    @Test("include comm matches comms of 1, 7, 8 and 15 bytes exactly (the kernel key is NUL-padded word by word)")
    func commLengths() throws {
        let directory = try TestEnvironment.makeScratchDirectory("filters")
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("missing").path
        let tag = String(UInt32.random(in: 0...0xFFFFFF), radix: 16)
        let comms = [1, 7, 8, 15].map { length in String((tag + "qwertyuiopasdfg").prefix(length)) }
        var settings = DetailLevelTests.settings(.events, argumentsAtExit: true)
        settings.filters = try OpenFilters(parsing: comms.map { "include comm=\($0)" })
        let harness = try ProbeHarness(settings: settings)
        defer { harness.close() }
        // A comm that extends an included one by a byte is another comm.
        let longer = MetricsLikeOpener.run(comms[1] + "z", CTS_OPENAT, missing, O_RDONLY, Self.count)
        for (index, comm) in comms.enumerated() {
            let pid = MetricsLikeOpener.run(comm, CTS_OPENAT, missing, O_RDONLY, index + 1)
            #expect(try Self.reported(harness, pid: pid, level: .events) == index + 1, "\(comm.debugDescription)")
        }
        #expect(try Self.reported(harness, pid: longer, level: .events) == 0)
    }
}
