import FileOpenCore
import FileOpenTestSupport
import Testing

/// `Aggregator.count(_:decodePath:)`, the consumer's hot path, against `apply(_:)` of decoded
/// events: the same records must give the same counts, comms and top paths.
@Suite("Counting records read in place")
struct RecordViewCountingTests {
    static func commBytes(_ comm: String) -> CommBytes {
        var bytes = [UInt8](repeating: 0, count: 16)
        for (index, byte) in comm.utf8.prefix(15).enumerated() { bytes[index] = byte }
        return bytes.withUnsafeBytes {
            CommBytes(low: $0.loadUnaligned(as: UInt64.self), high: $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        }
    }

    struct Open {
        var pid: Int32
        var start: UInt64 = 1
        var comm: String
        var path: String
        var flags: UInt32 = 0
        var result: Int64 = 3
    }

    /// Counts `opens` both ways; returns both aggregators and how often a path was decoded.
    static func countBothWays(_ opens: [Open], settings: AggregatorSettings = AggregatorSettings()) -> (
        viewed: Aggregator, decoded: Aggregator, pathDecodes: Int
    ) {
        var viewed = Aggregator(settings: settings)
        var decoded = Aggregator(settings: settings)
        var pathDecodes = 0
        for (time, open) in opens.enumerated() {
            let identity = ProcessIdentity(pid: open.pid, startTime: open.start)
            Array(open.path.utf8).withUnsafeBytes { path in
                let view = OpenRecordView(
                    timestamp: UInt64(time), process: identity, flags: OpenFlags(rawValue: open.flags),
                    result: open.result, comm: commBytes(open.comm), path: path
                )
                viewed.count(view) { bytes in
                    pathDecodes += 1
                    return KernelString.decode(bytes)
                }
            }
            decoded.apply([Records.open(
                pid: open.pid, start: open.start, comm: open.comm, at: UInt64(time), flags: open.flags,
                result: open.result, path: open.path
            )])
        }
        return (viewed, decoded, pathDecodes)
    }

    static func expectSame(_ viewed: Aggregator, _ decoded: Aggregator) {
        #expect(viewed.processes.count == decoded.processes.count)
        for pid in decoded.processes.pids {
            let left = viewed.processes[pid], right = decoded.processes[pid]
            #expect(left?.comm == right?.comm, "pid \(pid)")
            #expect(left?.counters == right?.counters, "pid \(pid)")
            #expect(left?.topPaths.ranked.map(\.path) == right?.topPaths.ranked.map(\.path), "pid \(pid)")
            #expect(left?.topPaths.ranked.map(\.opens) == right?.topPaths.ranked.map(\.opens), "pid \(pid)")
        }
        #expect(viewed.comms.all == decoded.comms.all)
        #expect(viewed.statistics == decoded.statistics)
    }

    @Test("the same records give the same counts both ways; a path is decoded once while it stays on top")
    func sameAsDecoded() {
        var opens: [Open] = []
        for round in 0..<50 {
            opens.append(Open(pid: 10, comm: "nginx", path: "/etc/nginx/nginx.conf"))
            opens.append(Open(pid: 10, comm: "nginx", path: "/var/www/missing-\(round % 3).html", result: -2))
            opens.append(Open(pid: 11, comm: "sh", path: "/tmp/out.log", flags: 0o1101))
            opens.append(Open(pid: 12, comm: "worker", path: "/dev/null", flags: 0o2, result: -13))
        }
        let (viewed, decoded, pathDecodes) = Self.countBothWays(opens)
        Self.expectSame(viewed, decoded)
        #expect(viewed.processes[10]?.counters.opens == 100)
        #expect(viewed.processes[12]?.counters.errors(13) == 50)
        #expect(pathDecodes == 6, "each distinct path once: 4 of pid 10, 1 of 11, 1 of 12")
    }

    @Test("a comm that changes, changes back, or overflows the cap counts where the decoded way does")
    func commChanges() {
        var opens: [Open] = []
        for name in ["a", "a", "b", "b", "a", "c", "d", "d", "e", "a"] {
            opens.append(Open(pid: 20, comm: name, path: "/etc/passwd"))
            opens.append(Open(pid: 21, comm: name + "x", path: "/etc/group"))
        }
        let (viewed, decoded, _) = Self.countBothWays(opens, settings: AggregatorSettings(maxComms: 4))
        Self.expectSame(viewed, decoded)
        #expect(viewed.statistics.overflowedCommOpens > 0, "the cap was reached")
        #expect(viewed.processes[20]?.comm == "a")
    }

    @Test("pid reuse and a stale process's records count as the decoded way does")
    func reuseAndStale() {
        let opens = [
            Open(pid: 30, start: 5, comm: "old", path: "/a/first/path/long"),
            Open(pid: 30, start: 9, comm: "new", path: "/a/second/path/long"),
            Open(pid: 30, start: 5, comm: "old", path: "/a/first/path/long"),  // the older process: comm totals only
            Open(pid: 30, start: 9, comm: "new", path: "/a/second/path/long"),
        ]
        let (viewed, decoded, _) = Self.countBothWays(opens)
        Self.expectSame(viewed, decoded)
        #expect(viewed.processes[30]?.counters.opens == 2)
        #expect(viewed.comms["old"]?.opens == 2)
    }
}
