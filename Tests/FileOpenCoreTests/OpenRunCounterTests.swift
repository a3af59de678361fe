import FileOpenCore
import FileOpenTestSupport
import Testing

/// `OpenRunCounter`: runs of repeated records counted in one step must leave the aggregator
/// exactly as counting every record would.
@Suite("Counting runs of repeated records")
struct OpenRunCounterTests {
    /// One record of a test sequence: an open, or an exit of `pid`.
    enum Event {
        case open(pid: Int32, start: UInt64, comm: String, path: Int, flags: UInt32, result: Int64)
        case exit(pid: Int32, start: UInt64)
    }

    /// Paths in memory that stays put for the whole test, as the ring keeps a record's bytes
    /// while the counter may still compare the next one with it.
    final class Paths {
        let buffers: [UnsafeMutableRawBufferPointer]

        init(_ paths: [String]) {
            buffers = paths.map { path in
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: path.utf8.count, alignment: 1)
                buffer.copyBytes(from: Array(path.utf8))
                return buffer
            }
        }

        deinit { buffers.forEach { $0.deallocate() } }

        subscript(index: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(buffers[index]) }
    }

    /// Counts `events` twice — every record on its own, and through an `OpenRunCounter` flushed
    /// before each exit and every `batch` records (a drain chunk) — and returns both aggregators.
    static func countBothWays(
        _ events: [Event], paths: Paths, batch: Int = 64, settings: AggregatorSettings = AggregatorSettings()
    ) -> (single: Aggregator, runs: Aggregator) {
        var single = Aggregator(settings: settings)
        var runs = Aggregator(settings: settings)
        var counter = OpenRunCounter()
        for (index, event) in events.enumerated() {
            let time = UInt64(index + 1)
            if index % batch == 0 { counter.flush(into: &runs) }
            switch event {
            case let .open(pid, start, comm, path, flags, result):
                let record = OpenRecordView(
                    timestamp: time, process: ProcessIdentity(pid: pid, startTime: start),
                    flags: OpenFlags(rawValue: flags), result: result, comm: CommBytes(comm), path: paths[path]
                )
                single.count(record) { KernelString.decode($0) }
                counter.count(record, into: &runs) { KernelString.decode($0) }
            case let .exit(pid, start):
                let exit = ProcessExitEvent(timestamp: time, process: ProcessIdentity(pid: pid, startTime: start), comm: "", exitCode: 0)
                single.exited(exit)
                counter.flush(into: &runs)
                runs.exited(exit)
            }
        }
        counter.flush(into: &runs)
        return (single, runs)
    }

    /// Everything an aggregator exposes, compared.
    static func expectSame(_ single: Aggregator, _ runs: Aggregator, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(runs.statistics == single.statistics, sourceLocation: sourceLocation)
        #expect(runs.comms.all == single.comms.all, sourceLocation: sourceLocation)
        #expect(runs.other == single.other, sourceLocation: sourceLocation)
        let byPid = { (aggregator: Aggregator) in aggregator.processes.all.sorted { $0.identity.pid < $1.identity.pid } }
        #expect(byPid(runs) == byPid(single), sourceLocation: sourceLocation)
    }

    @Test("random runs over few processes, comms, paths and outcomes count exactly as record by record")
    func randomRuns() {
        var random = SplitMix64(seed: 0x0F_2026_1127)
        let paths = Paths((0..<12).map { "/srv/data/file-\($0).bin" } + ["/a", "", "/exactly/16/bytes"])
        var events: [Event] = []
        var starts: [Int32: UInt64] = [100: 1, 101: 1, 102: 1]
        while events.count < 20_000 {
            let pid = Int32(100 + random.next() % 3)
            if random.next() % 200 == 0 {
                events.append(.exit(pid: pid, start: starts[pid]!))
                starts[pid]! += 1  // the pid is reused by a newer process
                continue
            }
            // Now and then a late record of the older process under this pid.
            let start = random.next() % 100 == 0 ? starts[pid]! - 1 : starts[pid]!
            let open = Event.open(
                pid: pid, start: start, comm: "proc-\(random.next() % 4)", path: Int(random.next() % 15),
                flags: random.next() % 3 == 0 ? 0o101 : 0, result: [3, -2, -13][Int(random.next() % 3)]
            )
            events += Array(repeating: open, count: Int(1 + random.next() % 8))
        }
        let (single, runs) = Self.countBothWays(events, paths: paths)
        #expect(single.statistics.openRecords > 19_000)
        Self.expectSame(single, runs)
    }

    @Test("runs under a comm cap, a process cap, a top-paths cap and chunk ends that cut them count exactly as record by record")
    func runsAtTheCaps() {
        let paths = Paths(["/etc/hosts", "/etc/passwd", "/nonexistent/fobench/missing-file"])
        var events: [Event] = []
        for round in 0..<50 {
            for pid in Int32(1)...6 {
                let open = Event.open(
                    pid: pid, start: 1, comm: "c\(pid)", path: round % 3, flags: 0, result: round % 2 == 0 ? -2 : 4
                )
                events += Array(repeating: open, count: Int(pid) * 3)
            }
        }
        for batch in [1, 7, 4096] {
            let (single, runs) = Self.countBothWays(
                events, paths: paths, batch: batch, settings: AggregatorSettings(maxProcesses: 4, maxComms: 3, maxTopPathsProcesses: 2)
            )
            #expect(single.statistics.evictedProcesses > 0 && single.statistics.overflowedCommOpens > 0)
            #expect(single.statistics.droppedTopPaths > 0)
            Self.expectSame(single, runs)
        }
    }

    @Test("a run is counted once: one process repeating one open is one lookup, then a compare per record")
    func oneRunIsOneCount() throws {
        let paths = Paths(["/nonexistent/fobench/missing-file"])
        var decodes = 0
        var aggregator = Aggregator()
        var counter = OpenRunCounter()
        for time in UInt64(1)...1000 {
            let record = OpenRecordView(
                timestamp: time, process: ProcessIdentity(pid: 7, startTime: 1), flags: OpenFlags(rawValue: 0),
                result: -2, comm: CommBytes("fobench-load"), path: paths[0]
            )
            counter.count(record, into: &aggregator) { decodes += 1; return KernelString.decode($0) }
            // Nothing of the run is counted until it is flushed.
            if time == 500 { #expect(aggregator.statistics.openRecords == 1) }
        }
        counter.flush(into: &aggregator)
        let process = try #require(aggregator.processes[7])
        #expect(decodes == 1)
        #expect(process.counters.opens == 1000 && process.counters.errors(2) == 1000 && process.counters.reads == 1000)
        #expect(process.topPaths.ranked.map(\.opens) == [1000])
        #expect(process.lastSeen == 1000)
        #expect(aggregator.comms["fobench-load"]?.opens == 1000)
        #expect(aggregator.statistics.openRecords == 1000)
    }

    @Test("one name in two directories is two runs: a record repeats the last only if its resolved path does too")
    func resolvedPathBreaksARun() throws {
        let paths = Paths(["config", "/etc/app", "/srv/app"])
        var aggregator = Aggregator()
        var counter = OpenRunCounter()
        for (time, directory) in [(UInt64(1), 1), (2, 1), (3, 2), (4, 2), (5, 1)] {
            let record = OpenRecordView(
                timestamp: time, process: ProcessIdentity(pid: 9, startTime: 1), flags: OpenFlags(rawValue: 0),
                result: -2, comm: CommBytes("app"), path: paths[0], resolved: paths[directory], resolution: .lexical
            )
            counter.count(record, into: &aggregator) { KernelString.decode($0) }
        }
        counter.flush(into: &aggregator)
        let ranked = try #require(aggregator.processes[9]).topPaths.ranked
        #expect(ranked.map(\.path) == ["/etc/app/config", "/srv/app/config"])
        #expect(ranked.map(\.opens) == [3, 2])
    }
}
