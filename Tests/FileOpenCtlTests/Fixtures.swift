import FileOpenCore
import FileOpenCtlKit

/// Canned result objects as the contract shows them (and a few hostile variants).
enum Fixtures {
    static let status = #"""
        {"daemon_version":"0.2.0","kernel_release":"6.18.0","attach_mode":"tracepoint","detail_level":"events","uptime_seconds":12.5,
         "records":{"open":1200,"exit":31,"undecodable":0},
         "drops":{"missed_map_full":0,"exit_ring_buffer_full":0,"pending_map_full":0,"ring_buffer_full":7,
                  "future_reason":1},
         "missed_opens":0,
         "missed_maps":{"missed":{"entries":12,"capacity":65536},"missed_comms":{"entries":0,"capacity":20000}},
         "ring_buffer":{"size_bytes":4194304,"pending_bytes":1048576},
         "tracked_processes":57,"tracked_comms":20,
         "clients":{"connected":1,"tailing":0,"tail_dropped_events":0}}
        """#

    static let top = #"""
        {"by":"opens","window_seconds":10,
         "processes":[{"pid":1234,"comm":"nginx","start_ns":123456,"exited":false,
                       "opens":500,"errors":12,"opens_per_second":3.25,"errors_per_second":0.1},
                      {"pid":42,"comm":"a\nb\u001b[31m","start_ns":1,"exited":true,
                       "opens":18446744073709551615,"errors":0,"opens_per_second":0,"errors_per_second":1e-7}]}
        """#

    /// Times 3 hours, 1 hour and 12 seconds before `clock`'s reading.
    static let proc = #"""
        {"pid":1234,"comm":"nginx",
         "start_ns":989200000000000,"first_seen_ns":996400000000000,"last_seen_ns":999988000000000,
         "exited":false,"exited_ns":null,"opens":500,"failed":12,"missed":0,"creates":3,
         "by_access":{"write":15,"read":480,"read_write":5},
         "errors":{"EACCES":2,"ENOENT":10,"ELOOP":2},
         "top_paths":[{"path":"/etc/hosts","opens":120},{"path":"/tmp/x\ty\u2028\u202e","opens":7}],
         "top_paths_capacity":8}
        """#

    /// A reading of both clocks: boot time 1,000,000 s, real time 2025-01-01 00:00:00 UTC.
    static let clock = WallClock(
        boottimeNanoseconds: 1_000_000_000_000_000, realtimeNanoseconds: 1_735_689_600_000_000_000, utc: true
    )

    static func value(_ text: String) -> JSONValue {
        // Fixtures are constants; a parse failure is a bug in the test itself.
        // swiftlint:disable:next force_try
        try! JSONValue(parsing: text)
    }
}
