import FileOpenCore
import FileOpenCtlKit

/// Canned results as the protocol document shows them (and a few hostile variants), built from
/// the schema types the daemon encodes, so a fixture cannot drift from what the daemon sends.
enum Fixtures {
    static let status = StatusReport(
        daemonVersion: "0.2.0", kernelRelease: "6.18.0", attachMode: "tracepoint", uptimeSeconds: 12.5,
        records: .init(open: 1200, exit: 31, undecodable: 0),
        drops: ["missed_map_full": 0, "exit_ring_buffer_full": 0, "pending_map_full": 0, "ring_buffer_full": 7,
                "future_reason": 1],
        missedOpens: 0,
        missedMaps: ["missed": .init(entries: 12, capacity: 65536), "missed_comms": .init(entries: 0, capacity: 20000)],
        ringBuffer: .init(sizeBytes: 4_194_304, pendingBytes: 1_048_576), trackedProcesses: 57, trackedComms: 20,
        clients: .init(connected: 1, tailing: 0, tailDroppedEvents: 0))

    static let top = TopReport(by: .opens, windowSeconds: 10, processes: [
        .init(pid: 1234, comm: "nginx", startNs: 123_456, exited: false, opens: 500, errors: 12, opensPerSecond: 3.25,
              errorsPerSecond: 0.1),
        .init(pid: 42, comm: "a\nb\u{1b}[31m", startNs: 1, exited: true, opens: .max, errors: 0, opensPerSecond: 0,
              errorsPerSecond: 1e-7),
    ])

    /// Times 3 hours, 1 hour and 12 seconds before `clock`'s reading.
    static let proc = ProcessReport(
        pid: 1234, comm: "nginx", startNs: 989_200_000_000_000, firstSeenNs: 996_400_000_000_000,
        lastSeenNs: 999_988_000_000_000, exited: false, exitedNs: nil, opens: 500, failed: 12, missed: 0, creates: 3,
        byAccess: ["write": 15, "read": 480, "read_write": 5], errors: ["EACCES": 2, "ENOENT": 10, "ELOOP": 2],
        topPaths: [.init(path: "/etc/hosts", opens: 120), .init(path: "/tmp/x\ty\u{2028}\u{202e}", opens: 7)],
        topPathsCapacity: 8, topPathsOpens: 500)

    /// A reading of both clocks: boot time 1,000,000 s, real time 2025-01-01 00:00:00 UTC.
    static let clock = WallClock(
        boottimeNanoseconds: 1_000_000_000_000_000, realtimeNanoseconds: 1_735_689_600_000_000_000, utc: true
    )

    /// An open as the probe reports it.
    static func open(
        pid: Int32 = 6853, tid: Int32 = 6854, comm: String = "cat", result: Int64 = 3, path: String = "/etc/hostname",
        time: UInt64 = 1
    ) -> FileOpenEvent {
        FileOpenEvent(
            timestamp: time, process: ProcessIdentity(pid: pid, startTime: 5), tid: tid, uid: 0, cgroupID: 1,
            syscall: .openat, flags: OpenFlags(rawValue: 0), mode: 0, result: result, comm: comm, path: path)
    }

    /// The success reply line the daemon writes for `result`, without its newline.
    static func successLine(_ result: QueryResult) -> String {
        String(decoding: QueryReply.success(result).dropLast(), as: UTF8.self)
    }
}
