import CTestSupport
import FileOpenCore
import FileOpenProbe
import FileOpenTestSupport
import Foundation
import Testing

/// With a ring far too small, every open is still accounted for: a record or a counted drop.
@Suite(
    "Nothing lost silently",
    .serialized,
    .enabled(if: TestEnvironment.canRunKernelTests, Comment(rawValue: TestEnvironment.kernelTestsSkipReason))
)
struct LossAccountingTests {
    @Test("Tiny ring and a flood: records received plus drops counted equals the opens performed")
    func floodIsAccountedExactly() throws {
        let opens = 20_000
        var settings = ProbeHarness.settings()
        settings.ringBufferBytes = 4096  // room for a few dozen records
        // Not consuming during the flood guarantees the ring overflows.
        let harness = try ProbeHarness(settings: settings, start: false)
        defer { harness.close() }
        let path = "/tmp/fo-flood-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"

        let comm = uniqueComm("fo-flood")
        let child = try spawnOpener(comm: comm, path: path, count: opens)  // reaped: its opens are all done
        var missedEntry: (key: ProcessIdentity, value: MissedOpens)?
        let exited = try TestEnvironment.waitUntil {
            missedEntry = try harness.probe.missedOpens().processes.first { $0.key.pid == child }
            return missedEntry?.value.exitedAt != nil
        }
        #expect(exited, "the ring overflowed, so the child has entries, and its exit marked them")
        // The child's records were all in the ring before the consumer started: one full drain
        // pass takes them all (whatever else arrives meanwhile).
        harness.consumer.start()
        #expect(TestEnvironment.waitUntil { harness.consumer.statistics.drains >= 2 })
        harness.probe.detach()
        harness.consumer.stop()

        let received = harness.opens { $0.process.pid == child }
        #expect(received.allSatisfy { $0.path == path && $0.process == missedEntry?.key })
        let missedOpens = try #require(missedEntry?.value)
        #expect(missedOpens.comm == comm, "the missed map names the process")
        let missed = missedOpens.opens
        #expect(missed > 0, "the ring overflowed, so something must have been dropped")
        #expect(UInt64(received.count) + missed == UInt64(opens))
        let drops = try harness.probe.dropCounts()
        #expect(drops[.ringBufferFull] >= missed, "each missed open was counted by reason too")
        #expect(harness.consumer.statistics.undecodable == 0)
    }
}
