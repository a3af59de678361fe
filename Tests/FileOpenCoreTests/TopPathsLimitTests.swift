import FileOpenCore
import FileOpenTestSupport
import Testing

/// `AggregatorSettings.maxTopPathsProcesses`: only the most recently active processes keep top
/// paths; every process keeps exact counters.
@Suite("Top paths: the cap on processes that keep them")
struct TopPathsLimitTests {
    /// Processes whose top paths are kept, by pid.
    static func keeping(_ aggregator: Aggregator) -> Set<Int32> {
        Set(aggregator.processes.all.filter { !$0.topPaths.isEmpty }.map(\.identity.pid))
    }

    @Test("at the cap the least recently active holder loses its top paths, never its counts; it gets new ones with its next open")
    func leastRecentlyActiveLoses() throws {
        var aggregator = Aggregator(settings: AggregatorSettings(maxTopPathsProcesses: 2))
        aggregator.apply([
            Records.open(pid: 1, at: 10, path: "/one"), Records.open(pid: 1, at: 11, path: "/one"),
            Records.open(pid: 2, at: 20, path: "/two"),
            Records.open(pid: 3, at: 30, path: "/three"),
        ])
        #expect(Self.keeping(aggregator) == [2, 3])
        #expect(aggregator.statistics.droppedTopPaths == 1)
        #expect(aggregator.processes.topPathsProcessCount == 2)
        let first = try #require(aggregator.processes[1])
        #expect(first.counters.opens == 2 && first.topPaths.countedOpens == 0)

        // pid 1 is active again: pid 2 is now the least recently active holder.
        aggregator.apply([Records.open(pid: 1, at: 40, path: "/again")])
        #expect(Self.keeping(aggregator) == [1, 3])
        #expect(aggregator.statistics.droppedTopPaths == 2)
        let again = try #require(aggregator.processes[1])
        #expect(again.counters.opens == 3)
        #expect(again.topPaths.ranked.map(\.path) == ["/again"] && again.topPaths.countedOpens == 1)
        #expect(try #require(aggregator.processes[2]).counters.opens == 1)
        #expect(aggregator.comms["cat"]?.opens == 5)
    }

    @Test("a cap of 0 keeps no top paths and the same counts")
    func zeroKeepsNone() {
        var limited = Aggregator(settings: AggregatorSettings(maxTopPathsProcesses: 0))
        var unlimited = Aggregator(settings: AggregatorSettings(maxTopPathsProcesses: 100))
        let records = (1...20).map { (index: Int) -> ProbeRecord in
            let result: Int64 = index % 3 == 0 ? -2 : 3
            return Records.open(pid: Int32(index % 5 + 1), at: UInt64(index), result: result, path: "/p\(index % 4)")
        }
        limited.apply(records)
        unlimited.apply(records)
        #expect(Self.keeping(limited).isEmpty && limited.processes.topPathsProcessCount == 0)
        #expect(limited.statistics.droppedTopPaths == 0)
        #expect(Self.keeping(unlimited).count == 5)
        for process in unlimited.processes.all {
            #expect(limited.processes[process.identity.pid]?.counters == process.counters)
        }
        #expect(limited.processes.all.map(\.counters.opens).reduce(0, +) == 20)
    }

    @Test("a cap lowered by a reload applies at once, keeping the most recently active")
    func loweredCapAppliesAtOnce() {
        var aggregator = Aggregator(settings: AggregatorSettings(maxTopPathsProcesses: 10))
        aggregator.apply((1...5).map { Records.open(pid: Int32($0), at: UInt64($0) * 10) })
        #expect(Self.keeping(aggregator) == [1, 2, 3, 4, 5])
        aggregator.settings.maxTopPathsProcesses = 2
        #expect(Self.keeping(aggregator) == [4, 5])
        #expect(aggregator.statistics.droppedTopPaths == 3)
        #expect(aggregator.processes.count == 5)
    }

    @Test("when the cap is hit a batch of 1/16 of it goes, the least recently active first")
    func dropsInBatches() {
        var aggregator = Aggregator(settings: AggregatorSettings(maxTopPathsProcesses: 64))
        aggregator.apply((1...64).map { Records.open(pid: Int32($0), at: UInt64($0)) })
        #expect(aggregator.processes.topPathsProcessCount == 64)
        aggregator.apply([Records.open(pid: 65, at: 65)])
        #expect(Self.keeping(aggregator) == Set(Int32(5)...65), "1...4 went, 65 came in")
        #expect(aggregator.statistics.droppedTopPaths == 4)
    }

    @Test("the holders stay exact through exits, expiry, pid reuse, eviction over the process cap and a reset")
    func holdersStayExact() {
        var aggregator = Aggregator(settings: AggregatorSettings(retention: .seconds(1), maxProcesses: 40, maxTopPathsProcesses: 16))
        var generator = SplitMix64(seed: 7)
        var time: UInt64 = 1
        for step in 0..<5_000 {
            time += 1_000_000
            let pid = Int32.random(in: 1...60, using: &generator)
            switch UInt8.random(in: 0..<10, using: &generator) {
            case 0: aggregator.apply([Records.exit(pid: pid, start: UInt64(pid), at: time)])
            case 1: aggregator.expire(now: time)
            case 2: aggregator.apply([Records.open(pid: pid, start: time, at: time, path: "/reused")])  // a new process
            default: aggregator.apply([Records.open(pid: pid, start: UInt64(pid), at: time, path: "/p\(step % 11)")])
            }
            if step == 2_500 { _ = aggregator.resetDetail() }
            let keeping = Self.keeping(aggregator)
            #expect(aggregator.processes.topPathsProcessCount == keeping.count, "step \(step)")
            #expect(keeping.count <= 16, "step \(step)")
        }
        #expect(aggregator.statistics.droppedTopPaths > 0 && aggregator.statistics.evictedProcesses > 0)
        #expect(aggregator.statistics.expiredProcesses > 0)
    }
}
