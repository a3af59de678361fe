import FileOpenCore
import Testing

/// Builders for records with known contents.
enum Records {
    static let second: UInt64 = 1_000_000_000

    static func open(
        pid: Int32, start: UInt64 = 1, comm: String = "cat", at time: UInt64 = 0,
        flags: UInt32 = 0, result: Int64 = 3, path: String = "/etc/hostname"
    ) -> ProbeRecord {
        .open(FileOpenEvent(
            timestamp: time, process: ProcessIdentity(pid: pid, startTime: start), tid: pid, uid: 0, cgroupID: 1,
            syscall: .openat, flags: OpenFlags(rawValue: flags), mode: 0, result: result, comm: comm, path: path
        ))
    }

    static func exit(pid: Int32, start: UInt64 = 1, comm: String = "cat", at time: UInt64) -> ProbeRecord {
        .exit(ProcessExitEvent(timestamp: time, process: ProcessIdentity(pid: pid, startTime: start), comm: comm, exitCode: 0))
    }
}

@Suite("Aggregator")
struct AggregatorTests {
    let cat = ProcessIdentity(pid: 100, startTime: 1)

    @Test("every attempt counts; failures by errno; access modes and O_CREAT; per comm too")
    func countsEveryAttempt() throws {
        var aggregator = Aggregator()
        aggregator.apply(Array(repeating: Records.open(pid: 100), count: 5))
        aggregator.apply(Array(repeating: Records.open(pid: 100, result: -2), count: 3))
        aggregator.apply([Records.open(pid: 100, result: -13), Records.open(pid: 100, flags: 0o101)])
        aggregator.apply([Records.open(pid: 100, flags: 0o2), Records.open(pid: 100, result: -99_999)])

        let counters = try #require(aggregator.process(cat)).counters
        #expect(counters.opens == 12)
        #expect(counters.failedOpens == 5)
        #expect(counters.errors(2) == 3)
        #expect(counters.errors(13) == 1)
        #expect(counters.errors(0) == 1, "a result outside the errno range counts as unknown")
        #expect(counters.errors.map(\.name) == ["ENOENT", "EACCES", "unknown"])
        #expect(counters.reads == 10 && counters.writes == 1 && counters.readWrites == 1)
        #expect(counters.creates == 1)
        #expect(aggregator.comms["cat"] == counters)
        #expect(aggregator.statistics.openRecords == 12)
    }

    @Test("a reused pid is a new process that starts from zero; the comm total keeps both")
    func pidReuse() throws {
        var aggregator = Aggregator()
        aggregator.apply(Array(repeating: Records.open(pid: 100, start: 1), count: 4))
        aggregator.apply([Records.exit(pid: 100, start: 1, at: 10)])
        aggregator.apply(Array(repeating: Records.open(pid: 100, start: 50, at: 60), count: 2))

        #expect(aggregator.process(ProcessIdentity(pid: 100, startTime: 1)) == nil, "one process per pid: the newest")
        #expect(aggregator.process(ProcessIdentity(pid: 100, startTime: 50))?.counters.opens == 2)
        #expect(aggregator.process(ProcessIdentity(pid: 100, startTime: 50))?.hasExited == false)
        #expect(aggregator.comms["cat"]?.opens == 6)
        #expect(aggregator.statistics.expiredProcesses == 1)

        // A late record of the old process counts for its comm only.
        aggregator.apply([Records.open(pid: 100, start: 1, at: 61)])
        #expect(aggregator.process(ProcessIdentity(pid: 100, startTime: 50))?.counters.opens == 2)
        #expect(aggregator.comms["cat"]?.opens == 7)
        #expect(aggregator.processes.count == 1)
    }

    @Test("comm changes are followed; each comm total keeps what was counted under it")
    func commChange() throws {
        var aggregator = Aggregator()
        aggregator.apply([Records.open(pid: 100, comm: "bash"), Records.open(pid: 100, comm: "bash")])
        aggregator.apply([Records.open(pid: 100, comm: "cat")])
        let process = try #require(aggregator.process(cat))
        #expect(process.comm == "cat")
        #expect(process.counters.opens == 3)
        #expect(aggregator.comms["bash"]?.opens == 2)
        #expect(aggregator.comms["cat"]?.opens == 1)
    }

    @Test("exited processes stay for the retention window, then only their comm totals remain")
    func retention() {
        var aggregator = Aggregator(settings: AggregatorSettings(retention: .seconds(300)))
        aggregator.apply([Records.open(pid: 100, at: 1 * Records.second), Records.exit(pid: 100, at: 2 * Records.second)])
        aggregator.apply([Records.open(pid: 200, comm: "sleep", at: 2 * Records.second)])
        aggregator.expire(now: 301 * Records.second)
        #expect(aggregator.process(cat)?.hasExited == true, "299 s after its exit it is still there")
        aggregator.expire(now: 302 * Records.second)
        #expect(aggregator.process(cat) == nil)
        #expect(aggregator.process(ProcessIdentity(pid: 200, startTime: 1)) != nil, "live processes never expire")
        #expect(aggregator.comms["cat"]?.opens == 1)
        #expect(aggregator.statistics.expiredProcesses == 1)
    }

    @Test("over the cap, the least recently active (exited first) fold into other; totals stay exact")
    func cap() throws {
        var aggregator = Aggregator(settings: AggregatorSettings(maxProcesses: 3))
        for pid in Int32(1)...3 {
            aggregator.apply(Array(repeating: Records.open(pid: pid, comm: "p\(pid)", at: UInt64(pid)), count: Int(pid)))
        }
        aggregator.apply([Records.open(pid: 1, comm: "p1", at: 10)])  // 1 is now the most recent
        aggregator.apply([Records.exit(pid: 3, comm: "p3", at: 11)])  // 3 exited: evicted first
        aggregator.apply([Records.open(pid: 4, comm: "p4", at: 12, result: -2)])
        #expect(aggregator.processes.count == 3)
        #expect(aggregator.process(ProcessIdentity(pid: 3, startTime: 1)) == nil)
        #expect(aggregator.other.opens == 3)
        aggregator.apply([Records.open(pid: 5, comm: "p5", at: 13)])
        #expect(aggregator.process(ProcessIdentity(pid: 2, startTime: 1)) == nil, "2 is the least recently active")
        #expect(Set(aggregator.processes.pids) == [1, 4, 5])
        #expect(aggregator.other.opens == 5)
        #expect(aggregator.statistics.evictedProcesses == 2)
        let tracked = aggregator.processes.all.reduce(0) { $0 + $1.counters.opens }
        #expect(tracked + aggregator.other.opens == 1 + 2 + 3 + 1 + 1 + 1)
    }

    @Test("a fork storm over the cap never holds more than the cap")
    func forkStorm() {
        var aggregator = Aggregator(settings: AggregatorSettings(maxProcesses: 640))
        for pid in Int32(1)...5000 {
            aggregator.apply([Records.open(pid: pid, at: UInt64(pid))])
            if aggregator.processes.count > 640 { Issue.record("\(aggregator.processes.count) tracked"); break }
        }
        #expect(aggregator.statistics.evictedProcesses == 5000 - UInt64(aggregator.processes.count))
        #expect(aggregator.other.opens + UInt64(aggregator.processes.count) == 5000)
        #expect(aggregator.process(ProcessIdentity(pid: 5000, startTime: 1)) != nil)
        #expect(aggregator.process(ProcessIdentity(pid: 1, startTime: 1)) == nil)
    }

    @Test("a cap lowered while running (a reload) applies at once; nothing is lost")
    func lowerCapLive() {
        var aggregator = Aggregator(settings: AggregatorSettings(maxProcesses: 100))
        for pid in Int32(1)...100 { aggregator.apply([Records.open(pid: pid, at: UInt64(pid))]) }
        aggregator.settings.maxProcesses = 30
        #expect(aggregator.processes.count == 30)
        #expect(aggregator.statistics.evictedProcesses == 70)
        #expect(aggregator.other.opens == 70)
        // The most recently active stay.
        #expect(aggregator.process(ProcessIdentity(pid: 100, startTime: 1)) != nil)
        #expect(aggregator.process(ProcessIdentity(pid: 70, startTime: 1)) == nil)
    }

    @Test("beyond the comm cap, opens of new comms count under [other]")
    func commCap() {
        var aggregator = Aggregator(settings: AggregatorSettings(maxComms: 2))
        aggregator.apply([Records.open(pid: 1, comm: "a"), Records.open(pid: 2, comm: "b")])
        aggregator.apply([Records.open(pid: 3, comm: "c"), Records.open(pid: 3, comm: "c"), Records.open(pid: 1, comm: "a")])
        #expect(aggregator.comms["a"]?.opens == 2)
        #expect(aggregator.comms["c"] == nil)
        #expect(aggregator.comms["[other]"]?.opens == 2)
        #expect(aggregator.statistics.overflowedCommOpens == 2)
        #expect(aggregator.process(ProcessIdentity(pid: 3, startTime: 1))?.comm == "c", "the process keeps its name")

        // Every further open of the over-cap comm is counted as overflowed, not only the first.
        aggregator.apply(Array(repeating: Records.open(pid: 3, comm: "c"), count: 5))
        #expect(aggregator.comms["[other]"]?.opens == 7 && aggregator.statistics.overflowedCommOpens == 7)
        // A cap raised by a reload gives the comm totals of its own from the next open on.
        aggregator.settings.maxComms = 10
        aggregator.apply(Array(repeating: Records.open(pid: 3, comm: "c"), count: 4))
        #expect(aggregator.comms["c"]?.opens == 4)
        #expect(aggregator.comms["[other]"]?.opens == 7 && aggregator.statistics.overflowedCommOpens == 7)
    }

    @Test("a process that renames itself counts under each comm in turn, back and forth")
    func renamesFollowTheComm() {
        var aggregator = Aggregator()
        let names = ["a", "a", "b", "b", "b", "a", "c", "a", "a"]
        aggregator.apply(names.map { Records.open(pid: 9, comm: $0) })
        aggregator.apply(names.map { Records.open(pid: 10, comm: $0) })
        #expect(aggregator.comms["a"]?.opens == 10)
        #expect(aggregator.comms["b"]?.opens == 6)
        #expect(aggregator.comms["c"]?.opens == 2)
        #expect(aggregator.process(ProcessIdentity(pid: 9, startTime: 1))?.counters.opens == 9)
        #expect(aggregator.process(ProcessIdentity(pid: 9, startTime: 1))?.comm == "a")
    }

    /// A missed-maps reading of processes only.
    func maps(_ processes: [ProcessIdentity: MissedOpens], comms: [String: MissedOpens] = [:]) -> MissedMaps {
        MissedMaps(processes: processes, comms: comms, processEntries: processes.count, commEntries: comms.count)
    }

    @Test("missed opens are folded as deltas, named by the kernel's comm when no record came")
    func missedOpens() throws {
        var aggregator = Aggregator()
        aggregator.apply(Array(repeating: Records.open(pid: 100), count: 2))
        let ghost = ProcessIdentity(pid: 300, startTime: 7)
        #expect(aggregator.foldMissed(maps([cat: MissedOpens(opens: 5, reads: 5, comm: "cat"), ghost: MissedOpens(opens: 4, reads: 4, comm: "ghost")]), now: 9) == [])
        #expect(aggregator.process(cat)?.counters.opens == 7)
        #expect(aggregator.process(cat)?.counters.missedOpens == 5)
        #expect(aggregator.process(ghost)?.comm == "ghost")
        #expect(aggregator.process(ghost)?.counters.opens == 4)
        #expect(aggregator.foldMissed(maps([cat: MissedOpens(opens: 8, reads: 8, comm: "cat"), ghost: MissedOpens(opens: 4, reads: 4, comm: "ghost")]), now: 10) == [])
        #expect(aggregator.process(cat)?.counters.opens == 10, "only the 3 new ones")
        #expect(aggregator.process(cat)?.counters.reads == 10)
        #expect(aggregator.comms["cat"]?.opens == 10)
        #expect(aggregator.comms["ghost"]?.opens == 4)
        #expect(aggregator.statistics.missedOpens == 12)

        // The exit is marked in the kernel map: one more fold reads the entry a last time, the
        // next returns it for deletion (nothing can change it after the exit).
        aggregator.apply([Records.exit(pid: 100, at: 20)])
        let exited = MissedOpens(opens: 9, reads: 9, comm: "cat", exitedAt: 20)
        #expect(aggregator.foldMissed(maps([cat: exited, ghost: MissedOpens(opens: 4, reads: 4, comm: "ghost")]), now: 21) == [])
        #expect(aggregator.process(cat)?.counters.opens == 11)
        #expect(aggregator.foldMissed(maps([cat: exited, ghost: MissedOpens(opens: 4, reads: 4, comm: "ghost")]), now: 22) == [cat])
        // A deletion that failed is asked for again, and nothing is counted twice.
        #expect(aggregator.foldMissed(maps([cat: exited]), now: 23) == [cat])
        // Deleted from the kernel map by the caller: nothing changes.
        #expect(aggregator.foldMissed(maps([ghost: MissedOpens(opens: 4, reads: 4, comm: "ghost")]), now: 24) == [])
        #expect(aggregator.process(cat)?.counters.opens == 11)
        #expect(aggregator.comms["cat"]?.opens == 11)
    }

    @Test("a lost open counts exactly: access mode, O_CREAT and errno, per process and per comm")
    func missedOpensInDetail() throws {
        var aggregator = Aggregator()
        aggregator.apply([Records.open(pid: 100, flags: 0o1, result: -13)])
        let lost = MissedOpens(
            opens: 10, reads: 4, writes: 3, readWrites: 3, creates: 2, errors: [2: 5, 13: 1, 0: 1], comm: "cat"
        )
        _ = aggregator.foldMissed(maps([cat: lost]), now: 5)
        let process = try #require(aggregator.process(cat)).counters
        #expect(process.opens == 11)
        #expect((process.reads, process.writes, process.readWrites, process.creates) == (4, 4, 3, 2))
        #expect(process.errors(2) == 5)
        #expect(process.errors(13) == 2)
        #expect(process.errors(0) == 1, "a result outside the errno range counts as unknown")
        #expect(process.failedOpens == 8)
        #expect(aggregator.comms["cat"] == process)
        // Only what is new counts, errno by errno.
        var more = lost
        more.opens += 2
        more.reads += 2
        more.errors[2] = 6
        more.errors[22] = 1
        _ = aggregator.foldMissed(maps([cat: more]), now: 6)
        #expect(aggregator.process(cat)?.counters.errors(2) == 6)
        #expect(aggregator.process(cat)?.counters.errors(22) == 1)
        #expect(aggregator.process(cat)?.counters.opens == 13)
        #expect(aggregator.comms["cat"]?.failedOpens == 10)
    }

    @Test("a lost exit record: the kernel's mark ends the process, and retention then expires it")
    func exitMarkWithoutRecord() {
        var aggregator = Aggregator(settings: AggregatorSettings(retention: .seconds(1)))
        aggregator.apply([Records.open(pid: 100, at: 1)])
        _ = aggregator.foldMissed(maps([cat: MissedOpens(opens: 1, reads: 1, comm: "cat", exitedAt: 5)]), now: 6)
        #expect(aggregator.process(cat)?.exitedAt == 5)
        // A bare mark (the process lost nothing but its exit record) counts nothing.
        let quiet = ProcessIdentity(pid: 101, startTime: 1)
        aggregator.apply([Records.open(pid: 101, at: 2)])
        _ = aggregator.foldMissed(maps([quiet: MissedOpens(comm: "cat", exitedAt: 7)]), now: 8)
        #expect(aggregator.process(quiet)?.exitedAt == 7)
        #expect(aggregator.process(quiet)?.counters.opens == 1)
        aggregator.expire(now: 5 + 1_000_000_000)
        #expect(aggregator.process(cat) == nil)
        #expect(aggregator.process(quiet) != nil)
        aggregator.expire(now: 7 + 1_000_000_000)
        #expect(aggregator.processes.count == 0)
        #expect(aggregator.comms["cat"]?.opens == 3)
    }

    @Test("markExited ends a running tracked process once; unknown or exited ones are left alone")
    func markExited() {
        var aggregator = Aggregator()
        aggregator.apply([Records.open(pid: 100, at: 1)])
        let first = aggregator.markExited(cat, at: 9)
        let again = aggregator.markExited(cat, at: 10)
        let otherProcessOfPID = aggregator.markExited(ProcessIdentity(pid: 100, startTime: 2), at: 9)
        let unknown = aggregator.markExited(ProcessIdentity(pid: 5, startTime: 1), at: 9)
        #expect(first && !again && !otherProcessOfPID && !unknown)
        #expect(aggregator.process(cat)?.exitedAt == 9)
    }

    @Test("losses the kernel could only charge to a comm count for the comm and under pid=other")
    func missedByComm() {
        var aggregator = Aggregator()
        aggregator.apply([Records.open(pid: 100)])
        let byComm = MissedOpens(opens: 6, reads: 2, writes: 4, errors: [2: 3], comm: "cat")
        _ = aggregator.foldMissed(maps([:], comms: ["cat": byComm]), now: 2)
        #expect(aggregator.comms["cat"]?.opens == 7)
        #expect(aggregator.comms["cat"]?.errors(2) == 3)
        #expect(aggregator.other.opens == 6)
        #expect(aggregator.other.writes == 4)
        #expect(aggregator.process(cat)?.counters.opens == 1)
        // The comm map's entries stay: the same reading counts nothing again.
        _ = aggregator.foldMissed(maps([:], comms: ["cat": byComm]), now: 3)
        #expect(aggregator.comms["cat"]?.opens == 7)
        #expect(aggregator.statistics.missedOpens == 6)
    }

    @Test("what arrives for a process no longer tracked counts under pid=other, so sums stay exact")
    func staleCountsUnderOther() {
        var aggregator = Aggregator()
        aggregator.apply([Records.open(pid: 100, start: 5)])
        // An older process of pid 100: a late record and a late missed fold.
        aggregator.apply([Records.open(pid: 100, start: 1, flags: 0o1)])
        _ = aggregator.foldMissed(maps([cat: MissedOpens(opens: 2, reads: 2, comm: "cat")]), now: 9)
        #expect(aggregator.other.opens == 3)
        #expect(aggregator.other.writes == 1)
        #expect(aggregator.comms["cat"]?.opens == 4)
        let perProcess = aggregator.processes.all.reduce(aggregator.other.opens) { $0 + $1.counters.opens }
        #expect(perProcess == aggregator.comms["cat"]?.opens)
    }

    @Test("an evicted process's missed count is not counted twice when it comes back")
    func missedAfterEviction() {
        var aggregator = Aggregator(settings: AggregatorSettings(maxProcesses: 1))
        aggregator.apply([Records.open(pid: 100, at: 1)])
        _ = aggregator.foldMissed(maps([cat: MissedOpens(opens: 5, reads: 5, comm: "cat")]), now: 2)
        aggregator.apply([Records.open(pid: 200, comm: "other", at: 3)])  // evicts cat
        #expect(aggregator.other.opens == 6)
        _ = aggregator.foldMissed(maps([cat: MissedOpens(opens: 6, reads: 6, comm: "cat")]), now: 4)
        #expect(aggregator.process(cat)?.counters.opens == 1, "only the new miss")
        #expect(aggregator.comms["cat"]?.opens == 7)
    }
}
