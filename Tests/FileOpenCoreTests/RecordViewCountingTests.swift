import FileOpenCore
import FileOpenTestSupport
import Testing

/// `Aggregator.count(_:decodePath:)`, the consumer's hot path: records read in place, with only
/// a changed comm or a path new to the process decoded.
@Suite("Counting records read in place")
struct RecordViewCountingTests {
    struct Open {
        var pid: Int32
        var start: UInt64 = 1
        var comm: String
        var path: String
        var flags: UInt32 = 0
        var result: Int64 = 3
    }

    /// Counts `opens` as the consumer does; returns the aggregator and how often a path was decoded.
    static func count(_ opens: [Open], settings: AggregatorSettings = AggregatorSettings()) -> (Aggregator, pathDecodes: Int) {
        var aggregator = Aggregator(settings: settings)
        var pathDecodes = 0
        for (time, open) in opens.enumerated() {
            Array(open.path.utf8).withUnsafeBytes { path in
                let record = OpenRecordView(
                    timestamp: UInt64(time), process: ProcessIdentity(pid: open.pid, startTime: open.start),
                    flags: OpenFlags(rawValue: open.flags), result: open.result, comm: CommBytes(open.comm), path: path
                )
                aggregator.count(record) { bytes in
                    pathDecodes += 1
                    return KernelString.decode(bytes)
                }
            }
        }
        return (aggregator, pathDecodes)
    }

    @Test("counts per process, comm, errno, access mode and top path; a path is decoded once while on top")
    func countsInPlace() throws {
        var opens: [Open] = []
        for round in 0..<50 {
            opens.append(Open(pid: 10, comm: "nginx", path: "/etc/nginx/nginx.conf"))
            opens.append(Open(pid: 10, comm: "nginx", path: "/var/www/missing-\(round % 3).html", result: -2))
            opens.append(Open(pid: 11, comm: "sh", path: "/tmp/out.log", flags: 0o1101))
            opens.append(Open(pid: 12, comm: "worker", path: "/dev/null", flags: 0o2, result: -13))
        }
        let (aggregator, pathDecodes) = Self.count(opens)
        #expect(pathDecodes == 6, "each distinct path once: 4 of pid 10, 1 of 11, 1 of 12")
        let nginx = try #require(aggregator.processes[10])
        #expect(nginx.comm == "nginx" && nginx.counters.opens == 100 && nginx.counters.errors(2) == 50)
        #expect(nginx.topPaths.ranked.map(\.path)
            == ["/etc/nginx/nginx.conf", "/var/www/missing-0.html", "/var/www/missing-1.html", "/var/www/missing-2.html"])
        #expect(nginx.topPaths.ranked.map(\.opens) == [50, 17, 17, 16])
        let shell = try #require(aggregator.processes[11])
        #expect(shell.counters.writes == 50 && shell.counters.creates == 50 && shell.counters.failedOpens == 0)
        #expect(aggregator.processes[12]?.counters.readWrites == 50)
        #expect(aggregator.processes[12]?.counters.errors(13) == 50)
        #expect(aggregator.comms["nginx"]?.opens == 100 && aggregator.comms["sh"]?.opens == 50)
        #expect(aggregator.comms["worker"]?.errors(13) == 50)
        #expect(aggregator.statistics.openRecords == 200)
    }

    @Test("a comm that changes, changes back, or overflows the cap is counted under the comm of the moment")
    func commChanges() {
        var opens: [Open] = []
        for name in ["a", "a", "b", "b", "a", "c", "d", "d", "e", "a"] {
            opens.append(Open(pid: 20, comm: name, path: "/etc/passwd"))
            opens.append(Open(pid: 21, comm: name + "x", path: "/etc/group"))
        }
        let (aggregator, _) = Self.count(opens, settings: AggregatorSettings(maxComms: 4))
        // The first four comms seen: a, ax, b, bx; every later comm counts under [other].
        #expect(aggregator.comms.all.map(\.comm) == ["a", "ax", "b", "bx", "[other]"])
        #expect(aggregator.comms["a"]?.opens == 4 && aggregator.comms["ax"]?.opens == 4)
        #expect(aggregator.comms["b"]?.opens == 2 && aggregator.comms["bx"]?.opens == 2)
        #expect(aggregator.comms["[other]"]?.opens == 8)
        #expect(aggregator.statistics.overflowedCommOpens == 8)
        #expect(aggregator.processes[20]?.comm == "a" && aggregator.processes[21]?.comm == "ax")
        #expect(aggregator.processes[20]?.counters.opens == 10)
    }

    @Test("a reused pid starts from zero; the older process's late records count for its comm only")
    func reuseAndStale() {
        let opens = [
            Open(pid: 30, start: 5, comm: "old", path: "/a/first/path/long"),
            Open(pid: 30, start: 9, comm: "new", path: "/a/second/path/long"),
            Open(pid: 30, start: 5, comm: "old", path: "/a/first/path/long"),
            Open(pid: 30, start: 9, comm: "new", path: "/a/second/path/long"),
        ]
        let (aggregator, _) = Self.count(opens)
        #expect(aggregator.processes[30]?.identity.startTime == 9)
        #expect(aggregator.processes[30]?.counters.opens == 2)
        #expect(aggregator.processes[30]?.topPaths.ranked.map(\.path) == ["/a/second/path/long"])
        #expect(aggregator.comms["old"]?.opens == 2 && aggregator.comms["new"]?.opens == 2)
        #expect(aggregator.statistics.expiredProcesses == 1)
    }

    /// Counts one open into `aggregator` at `time`, as the consumer does.
    static func count(_ open: Open, at time: UInt64, into aggregator: inout Aggregator) {
        Array(open.path.utf8).withUnsafeBytes { path in
            let record = OpenRecordView(
                timestamp: time, process: ProcessIdentity(pid: open.pid, startTime: open.start),
                flags: OpenFlags(rawValue: open.flags), result: open.result, comm: CommBytes(open.comm), path: path
            )
            aggregator.count(record) { KernelString.decode($0) }
        }
    }

    @Test("runs of repeated records, comm switches, path takeovers and detail resets count exactly as a plain model does")
    func repeatedRecordsMatchAModel() throws {
        var random = SplitMix64(seed: 0x5EED_0F_2026)
        let paths = (0..<12).map { "/srv/data/file-\($0).bin" }  // more than a process's 8 top paths
        var aggregator = Aggregator()
        var modelCounters: [Int32: OpenCounters] = [:]
        var modelPaths: [Int32: TopPaths] = [:]
        var modelComms: [String: OpenCounters] = [:]
        var modelLastSeen: [Int32: UInt64] = [:]
        var time: UInt64 = 0
        for _ in 0..<3000 {
            if random.next() % 50 == 0 {
                #expect(aggregator.resetDetail() == modelPaths.count)
                for pid in modelPaths.keys { modelPaths[pid] = TopPaths() }
            }
            let pid = Int32(100 + random.next() % 3)
            let open = Open(
                pid: pid, comm: "proc-\(pid)-\(random.next() % 2)", path: paths[Int(random.next() % 12)],
                flags: random.next() % 3 == 0 ? 0o1 : 0, result: [3, -2, -13][Int(random.next() % 3)]
            )
            for _ in 0..<(1 + random.next() % 5) {
                time += 1
                Self.count(open, at: time, into: &aggregator)
                modelCounters[pid, default: OpenCounters()].count(flags: OpenFlags(rawValue: open.flags), result: open.result)
                modelLastSeen[pid] = time
                modelPaths[pid, default: TopPaths()].count(open.path)
                modelComms[open.comm, default: OpenCounters()].count(flags: OpenFlags(rawValue: open.flags), result: open.result)
            }
        }
        for (pid, counters) in modelCounters {
            let process = try #require(aggregator.processes[pid])
            #expect(process.counters == counters, "pid \(pid)")
            #expect(process.topPaths == modelPaths[pid], "pid \(pid)")
            #expect(process.lastSeen == modelLastSeen[pid], "pid \(pid)")
        }
        for (comm, counters) in modelComms { #expect(aggregator.comms[comm] == counters, "\(comm)") }
        #expect(aggregator.statistics.openRecords == UInt64(modelCounters.values.reduce(0) { $0 + $1.opens }))
    }

    @Test("a record after processes moved, were evicted or were reused counts where it belongs")
    func repeatedRecordAfterTheTableChanged() throws {
        var aggregator = Aggregator(settings: AggregatorSettings(retention: .zero, maxProcesses: 2))
        let first = Open(pid: 50, comm: "first", path: "/var/log/first.log")
        let second = Open(pid: 51, comm: "second", path: "/var/log/second.log")
        Self.count(first, at: 1, into: &aggregator)
        Self.count(second, at: 2, into: &aggregator)
        Self.count(second, at: 3, into: &aggregator)  // at the second position
        // The first process exits and expires: the second moves into its place.
        aggregator.exited(ProcessExitEvent(timestamp: 4, process: ProcessIdentity(pid: 50, startTime: 1), comm: "first", exitCode: 0))
        aggregator.expire(now: 5)
        #expect(aggregator.processes.count == 1)
        Self.count(second, at: 6, into: &aggregator)
        #expect(aggregator.processes[51]?.counters.opens == 3)
        #expect(aggregator.processes[51]?.topPaths.ranked.map(\.opens) == [3])

        // Evicted over the cap, then back: a tracked process again, from zero.
        Self.count(Open(pid: 52, comm: "third", path: "/tmp/a"), at: 7, into: &aggregator)
        Self.count(Open(pid: 53, comm: "fourth", path: "/tmp/b"), at: 8, into: &aggregator)
        #expect(aggregator.processes[51] == nil, "the least recently active went to [other]")
        Self.count(second, at: 9, into: &aggregator)
        #expect(aggregator.processes[51]?.counters.opens == 1)
        #expect(aggregator.other.opens == 4, "the second's 3, then the third's 1 to make room for it")

        // The same pid, comm and path from a newer process (pid reuse) is a new process.
        Self.count(Open(pid: 51, start: 2, comm: "second", path: "/var/log/second.log"), at: 10, into: &aggregator)
        Self.count(Open(pid: 51, start: 2, comm: "second", path: "/var/log/second.log"), at: 11, into: &aggregator)
        #expect(aggregator.processes[51]?.identity.startTime == 2)
        #expect(aggregator.processes[51]?.counters.opens == 2)
        #expect(aggregator.comms["second"]?.opens == 6)
        #expect(aggregator.statistics.openRecords == 9)
    }
}
