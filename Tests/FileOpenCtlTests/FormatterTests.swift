import FileOpenCtlKit
import Testing

@Suite("Tables and key/value blocks from canned replies")
struct FormatterTests {
    @Test("status: grouped key/value lines, counts right-aligned, drops in the kernel's order, fill in percent")
    func status() {
        let lines = StatusFormatter.lines(Fixtures.value(Fixtures.status))
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

    @Test("status: fields a daemon did not send show as -")
    func statusMissing() {
        let lines = StatusFormatter.lines(Fixtures.value(#"{"daemon_version":"0.1"}"#))
        #expect(lines.contains("  kernel            -"))
        #expect(lines.contains("  open              -"))
        #expect(lines.contains("  size              - bytes"))
        #expect(lines.contains("  missed map        - of - entries"))
    }

    @Test("top: PID COMM OPENS ERRORS OPENS/S ERRORS/S EXITED, sized to content, names escaped")
    func top() {
        let lines = TopFormatter.lines(Fixtures.value(Fixtures.top))
        #expect(lines == [
            " PID  COMM                         OPENS  ERRORS  OPENS/S  ERRORS/S  EXITED",
            "1234  nginx                          500      12      3.3       0.1  no",
            "  42  a\\nb\\x1b[31m  18446744073709551615       0      0.0       0.0  yes",
        ])
        #expect(TopFormatter.caption(Fixtures.value(Fixtures.top)) == "by opens, rates over 10s windows")
    }

    @Test("top: no matching process leaves the header alone")
    func topEmpty() {
        let lines = TopFormatter.lines(Fixtures.value(#"{"by":"errors","window_seconds":2.5,"processes":[]}"#))
        #expect(lines == ["PID  COMM  OPENS  ERRORS  OPENS/S  ERRORS/S  EXITED"])
        let caption = TopFormatter.caption(Fixtures.value(#"{"by":"errors","window_seconds":2.5}"#))
        #expect(caption == "by errors, rates over 2.5s windows")
    }

    @Test("proc: header block with dates, ERRNO COUNT by count, OPENS PATH with names escaped")
    func proc() {
        let lines = ProcFormatter.lines(Fixtures.value(Fixtures.proc), clock: Fixtures.clock)
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
        let text = #"{"pid":7,"comm":"sh","start_ns":1,"exited":true,"exited_ns":999940000000000,"opens":0,"failed":0,"#
            + #""errors":{},"top_paths":[],"top_paths_capacity":8}"#
        let lines = ProcFormatter.lines(Fixtures.value(text), clock: Fixtures.clock)
        #expect(lines.contains("exited      yes, 2024-12-31 23:59:00 (1m 00s ago)"))
        #expect(lines.contains("no failed opens"))
        #expect(lines.contains("no paths recorded"))
        #expect(lines.contains("first seen  -"))
    }

    @Test("proc: at the counts level, no top paths, and the line names the setting")
    func procCountsLevel() {
        let text = #"{"pid":7,"opens":50,"missed":50,"top_paths":[],"top_paths_capacity":8,"top_paths_opens":0,"#
            + #""detail_level":"counts"}"#
        let lines = ProcFormatter.lines(Fixtures.value(text), clock: Fixtures.clock)
        #expect(lines.contains("top paths   none at detail_level counts (paths need detail_level: events)"))
        #expect(lines.contains("no paths at detail_level counts"))
    }

    @Test("proc: a full top-paths list says its counts may be overestimates")
    func procFullPaths() {
        let text = #"{"pid":7,"top_paths":[{"path":"/a","opens":3},{"path":"/b","opens":3}],"top_paths_capacity":2}"#
        let lines = ProcFormatter.lines(Fixtures.value(text), clock: Fixtures.clock)
        #expect(lines.contains("top paths   2 of at most 2 kept (list full, counts may be overestimates)"))
    }

    @Test("proc: top paths that were dropped, or cover fewer opens than it made, say so")
    func procDroppedPaths() {
        let dropped = #"{"pid":7,"opens":50,"missed":4,"top_paths":[],"top_paths_capacity":8,"top_paths_opens":0}"#
        let lines = ProcFormatter.lines(Fixtures.value(dropped), clock: Fixtures.clock)
        #expect(lines.contains(
            "top paths   none kept now (dropped for more recently active processes, or reset); its next open starts a new list"
        ))
        #expect(lines.contains("no top paths kept") && !lines.contains("no paths recorded"))

        let partial = #"{"pid":7,"opens":50,"missed":4,"top_paths":[{"path":"/a","opens":6}],"top_paths_capacity":8,"#
            + #""top_paths_opens":6}"#
        #expect(ProcFormatter.lines(Fixtures.value(partial), clock: Fixtures.clock).contains(
            "top paths   1 of at most 8 kept (counts exact), covering 6 of its 46 recorded opens"
        ))
        let whole = #"{"pid":7,"opens":6,"missed":0,"top_paths":[{"path":"/a","opens":6}],"top_paths_capacity":8,"#
            + #""top_paths_opens":6}"#
        #expect(ProcFormatter.lines(Fixtures.value(whole), clock: Fixtures.clock).contains(
            "top paths   1 of at most 8 kept (counts exact)"
        ))
        let onlyMissed = #"{"pid":7,"opens":3,"missed":3,"top_paths":[],"top_paths_capacity":8,"top_paths_opens":0}"#
        #expect(ProcFormatter.lines(Fixtures.value(onlyMissed), clock: Fixtures.clock).contains("no paths recorded"))
    }

    @Test("tail: fileopend --print's widths without FLAGS; failures, markers, escaping; no line for exits")
    func tail() {
        #expect(TailFormatter.header == "PID     TID     COMM              FD  ERR PATH")
        let open = #"{"event":"open","time_ns":1,"pid":6853,"tid":6854,"uid":0,"comm":"cat","syscall":"openat","#
            + #""flags":0,"mode":0,"fd":3,"errno":null,"error":null,"path":"/etc/hostname","path_truncated":false,"#
            + #""path_unreadable":false,"cgroup_id":1,"process_start_ns":5}"#
        #expect(TailFormatter.line(Fixtures.value(open)) == "6853    6854    cat                3    0 /etc/hostname")
        let failed = #"{"event":"open","pid":1,"tid":1,"comm":"a\tb\u0007","fd":null,"errno":2,"error":"ENOENT","#
            + #""path":"/x\ny\\z","path_truncated":true,"path_unreadable":false}"#
        let failedLine = TailFormatter.line(Fixtures.value(failed))
        #expect(failedLine == "1       1       a\\tb\\x07          -1    2 /x\\ny\\\\z [truncated]")
        let unreadable = #"{"event":"open","pid":1,"tid":1,"comm":"c","fd":null,"errno":14,"path":"","#
            + #""path_unreadable":true}"#
        #expect(TailFormatter.line(Fixtures.value(unreadable))?.hasSuffix("   14 [unreadable]") == true)
        let exit = #"{"event":"exit","time_ns":5,"pid":77,"comm":"sh","exit_code":256,"process_start_ns":8}"#
        #expect(TailFormatter.line(Fixtures.value(exit)) == nil)
        #expect(TailFormatter.droppedLine(17) == "# dropped 17 events (reader too slow)")
    }

    @Test("reset: one line, with the count")
    func reset() {
        let many = ResetFormatter.line(Fixtures.value(#"{"reset":true,"processes":57}"#))
        #expect(many == "reset the per-process detail of 57 processes")
        let one = ResetFormatter.line(Fixtures.value(#"{"reset":true,"processes":1}"#))
        #expect(one == "reset the per-process detail of 1 process")
    }
}
