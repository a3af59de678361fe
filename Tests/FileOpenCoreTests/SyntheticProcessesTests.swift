#if TestHooks
import FileOpenCore
import Testing

/// The test-only synthetic processes of `make bench` (FILEOPEND_TEST_SYNTHETIC_PROCESSES), compiled only
/// with the `TestHooks` trait.
@Suite("Synthetic processes (test-only)")
struct SyntheticProcessesTests {
    @Test("the variable: unset is nil, a count in range is taken, anything else is refused")
    func variable() throws {
        #expect(try SyntheticProcesses.count(in: [:]) == nil)
        #expect(try SyntheticProcesses.count(in: [SyntheticProcesses.variable: "10000"]) == 10_000)
        for bad in ["", "0", "-1", "1e4", "ten", "1000001"] {
            #expect(throws: SyntheticProcesses.InvalidCount.self) {
                try SyntheticProcesses.count(in: [SyntheticProcesses.variable: bad])
            }
        }
    }

    @Test("injected through the aggregator: every process tracked with all its series, in batches")
    func injected() throws {
        var aggregator = Aggregator(settings: AggregatorSettings(maxProcesses: 5000))
        var batches = 0
        SyntheticProcesses.inject(count: 2500, timestamp: 1_000) { records in
            batches += 1
            aggregator.apply(records)
        }
        #expect(batches == 3)
        #expect(aggregator.processes.count == 2500)
        #expect(aggregator.comms.count == SyntheticProcesses.commCount)
        #expect(aggregator.statistics.evictedProcesses == 0)
        let first = try #require(aggregator.processes[SyntheticProcesses.firstPID])
        #expect(first.comm == "synthetic-0")
        #expect(first.counters.opens == 3 && first.counters.reads == 2 && first.counters.writes == 1)
        #expect(first.counters.creates == 1 && first.counters.errors(2) == 1)
        #expect(first.topPaths.isEmpty, "the least recently active lost their top paths to the cap of 1000")
        let last = try #require(aggregator.processes[SyntheticProcesses.firstPID + 2499])
        #expect(last.topPaths.entries.count == 3 && last.topPaths.countedOpens == 3)
        let keeping = aggregator.processes.all.filter { !$0.topPaths.isEmpty }.count
        #expect((1000 - 1000 / 16)...1000 ~= keeping)
        #expect(aggregator.statistics.droppedTopPaths == UInt64(2500 - keeping))
        // Above any real pid (PID_MAX_LIMIT is 4 194 304).
        #expect(aggregator.processes.pids.allSatisfy { $0 >= 10_000_000 })
    }
}
#endif
