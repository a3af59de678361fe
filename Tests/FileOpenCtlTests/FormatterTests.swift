import FileOpenCore
import FileOpenCtlKit
import Testing

@Suite("Tables and key/value blocks from canned replies")
struct FormatterTests {
    @Test("status: grouped key/value lines, counts right-aligned, drops in the kernel's order, fill in percent")
    func status() {
        let lines = StatusFormatter.lines(Fixtures.status)
        #expect(lines == [
            "daemon",
            "  version                0.2.0",
            "  kernel                 6.18.0",
            "  attach mode            tracepoint",
            "  detail level           events",
            "  uptime                 12s",
            "records",
            "  open                      1200",
            "  exit                        31",
            "  undecodable                  0",
            "drops",
            "  ring_buffer_full             7",
            "  pending_map_full             0",
            "  exit_ring_buffer_full        0",
            "  missed_map_full              0",
            "  future_reason                1",
            "  missed opens                 0 (no record, still counted)",
            "  missed map                  12 of 65536 entries",
            "  missed_comms map             0 of 20000 entries",
            "ring buffer",
            "  size                   4194304 bytes (4.0 MiB)",
            "  pending                1048576 bytes (25.0% full)",
            "processes",
            "  tracked                     57",
            "  commands                    20",
            "clients",
            "  connected                    1",
            "  tailing                      0",
            "  tail dropped                 0 events",
        ])
    }

    @Test("status: each way of opening, covered or not by the attach mode, with the kernel's counts; absent from older daemons")
    func statusOpenAPIs() throws {
        var status = Fixtures.status
        #expect(!StatusFormatter.lines(status).contains("open APIs"), "an older daemon sends no apis")
        status.apis = [
            "syscall": .init(covered: true),
            "io_uring": .init(covered: true, opens: 17, failed: 4),
            "open_by_handle_at": .init(covered: false, opens: 0, failed: 0),
        ]
        let lines = StatusFormatter.lines(status)
        let section = try #require(lines.firstIndex(of: "open APIs"))
        #expect(Array(lines[(section + 1)...(section + 3)]) == [
            "  syscall                covered",
            "  io_uring               covered, 17 opens (4 failed)",
            "  open_by_handle_at      NOT covered in tracepoint mode",
        ])
    }

    @Test("status: a missed map the daemon did not report shows as -; names from the daemon are escaped")
    func statusMissingMap() {
        var status = Fixtures.status
        status.missedMaps = [:]
        status.attachMode = "trace\u{9b}point"
        let lines = StatusFormatter.lines(status)
        #expect(lines.contains("  missed map                   - of - entries"))
        #expect(lines.contains("  attach mode            trace\\u{9B}point"))
    }

    @Test("status: the filters in force, each rule escaped, and the opens each kind filtered out")
    func statusFilters() {
        var status = Fixtures.status
        status.filters = .init(rules: ["exclude uid=0", "include comm=a\u{1b}b"],
                               filteredOpens: ["uid": 12, "comm": 3, "unit": 0, "failed_only": 0])
        let lines = StatusFormatter.lines(status)
        let start = lines.firstIndex(of: "filters")
        #expect(start.map { Array(lines[$0..<$0 + 7]) } == [
            "filters",
            "  rule                   exclude uid=0",
            "  rule                   include comm=a\\x1bb",
            "  filtered uid                12 opens (not counted)",
            "  filtered comm                3 opens (not counted)",
            "  filtered unit                0 opens (not counted)",
            "  filtered failed_only         0 opens (not counted)",
        ], "\(lines)")
        status.filters = .init(rules: [], filteredOpens: [:])
        #expect(StatusFormatter.lines(status).contains("  rules                  none (every open is reported)"))
    }

    @Test("top: PID COMM OPENS ERRORS OPENS/S ERRORS/S EXITED, sized to content, names escaped")
    func top() {
        let lines = TopFormatter.lines(Fixtures.top)
        #expect(lines == [
            " PID  COMM                         OPENS  ERRORS  OPENS/S  ERRORS/S  EXITED",
            "1234  nginx                          500      12      3.3       0.1  no",
            "  42  a\\nb\\x1b[31m  18446744073709551615       0      0.0       0.0  yes",
        ])
        #expect(TopFormatter.caption(Fixtures.top) == "by opens, rates over 10s windows")
    }

    @Test("top: no matching process leaves the header alone")
    func topEmpty() {
        let empty = TopReport(by: .errors, windowSeconds: 2.5, processes: [])
        #expect(TopFormatter.lines(empty) == ["PID  COMM  OPENS  ERRORS  OPENS/S  ERRORS/S  EXITED"])
        #expect(TopFormatter.caption(empty) == "by errors, rates over 2.5s windows")
    }

    @Test("proc: header block with dates, ERRNO COUNT by count, OPENS PATH with names escaped")
    func proc() {
        let lines = ProcFormatter.lines(Fixtures.proc, clock: Fixtures.clock)
        #expect(lines == [
            "pid         1234",
            "comm        nginx",
            "started     2024-12-31 21:00:00 (3h 00m ago)",
            "first seen  2024-12-31 23:00:00 (1h 00m ago)",
            "last seen   2024-12-31 23:59:48 (12s ago)",
            "exited      no",
            "opens        500",
            "failed        12",
            "missed         0 (counted without a record)",
            "creates        3",
            "access      read 480, write 15, read_write 5",
            "top paths   2 of at most 8 kept (counts exact)",
            "",
            "ERRNO   COUNT",
            "ENOENT     10",
            "EACCES      2",
            "ELOOP       2",
            "",
            "OPENS  PATH",
            "  120  /etc/hosts",
            "    7  /tmp/x\\ty\\u{2028}\\u{202E}",
        ])
    }

    @Test("proc: an exited process shows when; no errors and no paths say so")
    func procExited() {
        var process = Fixtures.proc
        process.exited = true
        process.exitedNs = 999_940_000_000_000
        process.opens = 0
        process.failed = 0
        process.errors = [:]
        process.topPaths = []
        process.topPathsOpens = 0
        let lines = ProcFormatter.lines(process, clock: Fixtures.clock)
        #expect(lines.contains("exited      yes, 2024-12-31 23:59:00 (1m 00s ago)"))
        #expect(lines.contains("no failed opens"))
        #expect(lines.contains("no paths recorded"))
    }

    @Test("proc: at the counts level, no top paths, and the line names the setting")
    func procCountsLevel() {
        var process = Fixtures.proc
        (process.opens, process.missed, process.topPaths, process.topPathsOpens) = (50, 50, [], 0)
        process.detailLevel = .counts
        let lines = ProcFormatter.lines(process, clock: Fixtures.clock)
        #expect(lines.contains("top paths   none at detail_level counts (paths need detail_level: events)"))
        #expect(lines.contains("no paths at detail_level counts"))
    }

    @Test("proc: a full top-paths list says its counts may be overestimates")
    func procFullPaths() {
        var process = Fixtures.proc
        process.topPaths = [.init(path: "/a", opens: 3), .init(path: "/b", opens: 3)]
        process.topPathsCapacity = 2
        let lines = ProcFormatter.lines(process, clock: Fixtures.clock)
        #expect(lines.contains("top paths   2 of at most 2 kept (list full, counts may be overestimates)"))
    }

    @Test("proc: top paths that were dropped, or cover fewer opens than it made, say so")
    func procDroppedPaths() {
        func process(opens: UInt64, missed: UInt64, paths: [ProcessReport.PathCount]) -> ProcessReport {
            var process = Fixtures.proc
            process.opens = opens
            process.missed = missed
            process.topPaths = paths
            process.topPathsOpens = paths.reduce(0) { $0 + $1.opens }
            return process
        }
        let lines = ProcFormatter.lines(process(opens: 50, missed: 4, paths: []), clock: Fixtures.clock)
        #expect(lines.contains(
            "top paths   none kept now (dropped for more recently active processes, or reset); its next open starts a new list"
        ))
        #expect(lines.contains("no top paths kept") && !lines.contains("no paths recorded"))
        #expect(ProcFormatter.lines(process(opens: 50, missed: 4, paths: [.init(path: "/a", opens: 6)]), clock: Fixtures.clock)
            .contains("top paths   1 of at most 8 kept (counts exact), covering 6 of its 46 recorded opens"))
        #expect(ProcFormatter.lines(process(opens: 6, missed: 0, paths: [.init(path: "/a", opens: 6)]), clock: Fixtures.clock)
            .contains("top paths   1 of at most 8 kept (counts exact)"))
        #expect(ProcFormatter.lines(process(opens: 3, missed: 3, paths: []), clock: Fixtures.clock).contains("no paths recorded"))
    }

    @Test("tail: fileopend --print's columns without FLAGS; failures, markers, escaping; no line for exits")
    func tail() {
        #expect(TailFormatter.header == "PID     TID     COMM              FD  ERR PATH")
        #expect(TailFormatter.line(.open(Fixtures.open())) == "6853    6854    cat                3    0 /etc/hostname")
        var failed = Fixtures.open(pid: 1, tid: 1, comm: "a\tb\u{07}", result: -2, path: "/x\ny\\z")
        failed.pathTruncated = true
        #expect(TailFormatter.line(.open(failed)) == "1       1       a\\tb\\x07          -1    2 /x\\ny\\\\z [truncated]")
        var unreadable = Fixtures.open(result: -14, path: "")
        unreadable.pathUnreadable = true
        #expect(TailFormatter.line(.open(unreadable))?.hasSuffix("   14 [unreadable]") == true)
        let exit = ProcessExitEvent(timestamp: 5, process: ProcessIdentity(pid: 77, startTime: 8), comm: "sh", exitCode: 256)
        #expect(TailFormatter.line(.exit(exit)) == nil)
        #expect(TailFormatter.droppedLine(17) == "# dropped 17 events (reader too slow)")
    }

    @Test("tail, top and proc escape C1 controls, bidirectional overrides, line separators, ESC and kept invalid bytes")
    func hostileNames() {
        let name = "x\u{9b}31m\u{202e}\u{2028}\u{1b}[2J\\xff"
        let shown = "x\\u{9B}31m\\u{202E}\\u{2028}\\x1b[2J\\\\xff"
        #expect(TailFormatter.line(.open(Fixtures.open(comm: "c\u{85}", path: "/tmp/" + name)))?.hasSuffix(" /tmp/" + shown) == true)
        #expect(TailFormatter.line(.open(Fixtures.open(comm: "c\u{85}")))?.contains(" c\\u{85} ") == true)
        var top = Fixtures.top
        top.processes[0].comm = name
        #expect(TopFormatter.lines(top)[1].contains("  " + shown + "  "))
        var process = Fixtures.proc
        process.comm = name
        process.topPaths = [.init(path: "/tmp/" + name, opens: 1)]
        process.errors = [name: 1]
        let lines = ProcFormatter.lines(process, clock: Fixtures.clock)
        #expect(lines.contains("comm        " + shown))
        #expect(lines.contains("    1  /tmp/" + shown))
        #expect(lines.contains { $0.hasPrefix(shown + "  ") })
        for line in lines + TopFormatter.lines(top) {
            #expect(!line.unicodeScalars.contains { $0.value < 0x20 || (0x7f...0x9f).contains($0.value) || $0 == "\u{202e}" || $0 == "\u{2028}" })
        }
    }

    @Test("reset: one line, with the count")
    func reset() {
        let many = ResetFormatter.line(ResetReport(processes: 57))
        #expect(many == "reset the per-process detail of 57 processes")
        let one = ResetFormatter.line(ResetReport(processes: 1))
        #expect(one == "reset the per-process detail of 1 process")
    }
}
