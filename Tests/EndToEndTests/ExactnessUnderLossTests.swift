import CTestSupport
import FileOpenTestSupport
import Foundation
import Testing

/// The hard path, run as users run the daemon: the smallest ring (one page), a flooder keeping it
/// full from one core, and 20 000 short-lived processes each making a known set of opens. At the
/// events level most of their records and exit records are lost; every count must still be exact,
/// every loss counted by reason, and once retention has passed the daemon and the kernel's missed
/// map are back where they started. At the counts level the kernel counts every open itself: the
/// same families, just as exact, and the same way back.
@Suite(
    "Exact counts under churn and loss",
    .serialized,
    .enabled(if: TestEnvironment.canRunKernelTests, Comment(rawValue: TestEnvironment.kernelTestsSkipReason))
)
struct ExactnessUnderLossTests {
    static let processes = 20_000

    @Test("one-page ring, a flood and 20 000 short-lived processes: every family exact, every drop by reason, then back to baseline",
          arguments: DetailLevelName.allCases)
    func churnUnderLoss(level: DetailLevelName) throws {
        // 20 000 processes must not reuse a pid: a reused pid ends the older process's series.
        let pidMax = try PidMax.atLeast(Self.processes * 4)
        defer { pidMax.restore() }
        let scratch = try TestEnvironment.makeScratchDirectory("loss")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let existing = scratch.appendingPathComponent("existing").path
        try Data("x".utf8).write(to: URL(fileURLWithPath: existing))
        let settings = "max_processes: 100000\ndetail_level: \(level)\n"
        let (configDirectory, config) = try ConfigurationEndToEndTests.configurationFile("retention: 300\n" + settings)
        defer { try? FileManager.default.removeItem(at: configDirectory) }
        let socket = scratch.appendingPathComponent("q.sock").path
        let (daemon, client) = try MetricsEndpointTests.startDaemon(
            ["--config", config, "--ring-buffer-size", String(getpagesize())], isolated: ["--listen", "127.0.0.1:0", "--socket", socket]
        )
        defer { daemon.stop() }
        let baseline = try #require(try client.value("fileopen_tracked_processes"))

        // Each churn child: three reads (one failing), two writes (one creating, one failing), one read-write.
        let comm = MetricsEndpointTests.uniqueComm("ch"), floodComm = MetricsEndpointTests.uniqueComm("fl")
        let created = scratch.appendingPathComponent("created").path
        let script: [(cts_open_call, String, Int32)] = [
            (CTS_OPENAT, existing, O_RDONLY),
            (CTS_OPEN, existing, O_RDONLY),
            (CTS_OPENAT2, created, O_WRONLY | O_CREAT),
            (CTS_OPENAT, existing, O_RDWR),
            (CTS_OPENAT, scratch.appendingPathComponent("absent/x").path, O_RDONLY),  // ENOENT
            (CTS_OPENAT, existing + "/x", O_WRONLY),  // ENOTDIR
        ]
        let flood = try Flooder(comm: floodComm, path: scratch.appendingPathComponent("absent-flood").path)
        if level == .events {
            #expect(try TestEnvironment.waitUntil { try client.value(#"fileopen_drops_total{reason="ring_buffer_full"}"#) ?? 0 > 0 },
                    "the flood fills the one-page ring")
        }
        let churned = try Self.churn(comm: comm, processes: Self.processes, script: script)
        let flooded = try flood.stop()
        #expect(churned, "every churn child ran and exited 0")

        let n = Double(Self.processes)
        let expected: [String: Double] = [
            #"fileopen_opens_total{comm="\#(comm)"}"#: 6 * n,
            #"fileopen_opens_by_access_total{comm="\#(comm)",access="read"}"#: 3 * n,
            #"fileopen_opens_by_access_total{comm="\#(comm)",access="write"}"#: 2 * n,
            #"fileopen_opens_by_access_total{comm="\#(comm)",access="read_write"}"#: n,
            #"fileopen_opens_with_create_total{comm="\#(comm)"}"#: n,
            #"fileopen_open_errors_total{comm="\#(comm)",errno="ENOENT"}"#: n,
            #"fileopen_open_errors_total{comm="\#(comm)",errno="ENOTDIR"}"#: n,
            #"fileopen_opens_total{comm="\#(floodComm)"}"#: Double(flooded),
            #"fileopen_opens_by_access_total{comm="\#(floodComm)",access="read"}"#: Double(flooded),
            #"fileopen_open_errors_total{comm="\#(floodComm)",errno="ENOENT"}"#: Double(flooded),
        ]
        // The kernel's missed counts are folded once a second: wait for the last fold.
        var samples: [String: Double] = [:]
        let settled = try TestEnvironment.waitUntil(timeout: .seconds(30)) {
            samples = MetricsClient.samples(try client.scrape())
            return expected.allSatisfy { samples[$0.key] == $0.value }
        }
        for (series, value) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(samples[series] == value, "\(series)")
        }
        #expect(settled)
        let churnErrnos = samples.keys.filter { $0.hasPrefix(#"fileopen_open_errors_total{comm="\#(comm)""#) }
        #expect(churnErrnos.count == 2, "ENOENT and ENOTDIR only: \(churnErrnos.map { "\($0) \(samples[$0]!)" })")

        // Losses: counted by reason, none beyond what the missed map absorbs.
        let dropped = samples[#"fileopen_drops_total{reason="ring_buffer_full"}"#] ?? 0
        let missed = samples["fileopen_missed_opens_total"] ?? 0
        #expect(level == .counts ? dropped == 0 : dropped > n, "most churn records were lost (events), none made (counts): \(dropped)")
        // Every lost open was counted in the missed map and folded from it, and nothing more: the
        // opens dropped so far are all folded within two maintenance passes, and a scrape never
        // shows more folded than dropped (other processes on the host may still be losing records).
        func lostOpens(_ samples: [String: Double]) -> Double {
            (samples[#"fileopen_drops_total{reason="ring_buffer_full"}"#] ?? 0)
                + (samples[#"fileopen_drops_total{reason="pending_map_full"}"#] ?? 0)
        }
        if level == .events {
            let lostByNow = lostOpens(samples)
            var folded = 0.0
            let accounted = try TestEnvironment.waitUntil(timeout: .seconds(15)) {
                let now = MetricsClient.samples(try client.scrape())
                folded = now["fileopen_missed_opens_total"] ?? 0
                #expect(folded <= lostOpens(now), "never more folded than dropped")
                return folded >= lostByNow
            }
            #expect(accounted, "the \(lostByNow) opens dropped by then were all folded from the missed map (\(folded))")
            #expect(samples[#"fileopen_drops_total{reason="exit_ring_buffer_full"}"#] ?? 0 > 0, "exit records were lost too")
        } else {
            #expect(missed >= 6 * n + Double(flooded), "the kernel counted every churn and flood open itself")
            #expect(samples[#"fileopen_records_received_total{kind="open"}"#] == 0, "no open record at the counts level")
        }
        for reason in ["missed_map_full", "missed_comm_map_full", "exit_unmarked", "pending_map_full"] {
            #expect(samples[#"fileopen_drops_total{reason="\#(reason)"}"#] == 0, "\(reason)")
        }
        #expect(samples["fileopen_exits_found_by_liveness_check_total"] == 0)
        print(
            "exactness under loss: \(Self.processes) processes, \(Int(6 * n)) churn opens, \(flooded) flood opens; "
                + "drops ring_buffer_full \(Int(dropped)), exit_ring_buffer_full "
                + "\(Int(samples[#"fileopen_drops_total{reason="exit_ring_buffer_full"}"#] ?? 0)); missed opens \(Int(missed)); "
                + "open records \(Int(samples[#"fileopen_records_received_total{kind="open"}"#] ?? 0))"
        )

        // Per process: every churn process's series are exact, and the per-process families sum
        // to the per-command ones (nothing expired, nothing evicted).
        #expect(samples["fileopen_processes_expired_total"] == 0)
        #expect(samples["fileopen_processes_evicted_total"] == 0)
        let perProcess = Self.series(samples, "fileopen_process_opens_total", comm: comm)
        #expect(perProcess.count == Self.processes, "one series per churn process")
        #expect(perProcess.allSatisfy { $0 == 6 }, "each churn process made exactly 6 opens")
        for errno in ["ENOENT", "ENOTDIR"] {
            let failures = Self.series(samples, "fileopen_process_open_errors_total", comm: comm, label: #"errno="\#(errno)""#)
            #expect(failures.count == Self.processes && failures.allSatisfy { $0 == 1 }, "\(errno) once per process")
        }
        for family in ["opens_total", "opens_by_access_total", "opens_with_create_total", "open_errors_total"] {
            let sums = Self.sumsByLabels(samples, family: family)
            #expect(sums.perProcess == sums.perComm, "fileopen_process_\(family) sums to fileopen_\(family)")
        }

        // The query socket says the same: status, and every churn process in top.
        let status = try Self.ctl(socket, ["status"])
        let drops = status["drops"] as? [String: Any]
        #expect((drops?["ring_buffer_full"] as? Int).map(Double.init) ?? -1 >= dropped)
        #expect(drops?["missed_map_full"] as? Int == 0)
        #expect((status["missed_opens"] as? Int).map(Double.init) ?? -1 >= missed)
        let top = try Self.ctl(socket, ["top", "--comm", comm, "--limit", "1000"])
        let listed = top["processes"] as? [[String: Any]] ?? []
        #expect(listed.count == 1000)
        #expect(listed.allSatisfy { $0["opens"] as? Int == 6 && $0["errors"] as? Int == 2 && $0["exited"] as? Bool == true },
                "top: each churn process exactly, and known to have exited: \(listed.filter { $0["opens"] as? Int != 6 || $0["errors"] as? Int != 2 || $0["exited"] as? Bool != true }.prefix(3))")

        // Retention passes (a live reload shortens it): back to the baseline, the missed map drained.
        try Data(("retention: 1\n" + settings).utf8).write(to: URL(fileURLWithPath: config))
        daemon.signal(SIGHUP)
        let expired = try TestEnvironment.waitUntil(timeout: .seconds(30)) {
            let now = MetricsClient.samples(try client.scrape())
            return now["fileopen_tracked_processes"] ?? .infinity <= baseline + 50
                && now["fileopen_processes_expired_total"] ?? 0 >= n
        }
        samples = MetricsClient.samples(try client.scrape())
        #expect(expired, "tracked \(samples["fileopen_tracked_processes"] ?? -1), baseline \(baseline)")
        #expect(samples[#"fileopen_opens_total{comm="\#(comm)"}"#] == 6 * n, "the comm's totals stay")
        let maps = try KernelMaps(daemon: daemon.pid)
        let drained = TestEnvironment.waitUntil(timeout: .seconds(10)) {
            (try? maps.missedEntries(comms: [comm, floodComm])) == 0
        }
        #expect(drained, "no entry of an exited churn or flood process is left in the kernel's missed map")
        if level == .events {
            let entries = samples[#"fileopen_missed_map_entries{map="missed"}"#] ?? .infinity
            #expect(entries < 1000, "the missed map holds only live processes' entries: \(entries)")
        }
    }

    /// Runs `processes` churn children (comm `comm`) one after another; true when all exited 0.
    static func churn(comm: String, processes: Int, script: [(cts_open_call, String, Int32)]) throws -> Bool {
        let paths = script.map { strdup($0.1)! }
        defer { paths.forEach { free($0) } }
        let steps = zip(script, paths).map { cts_open_step(call: $0.0.0, path: $0.1, flags: $0.0.2) }
        let parent = steps.withUnsafeBufferPointer {
            cts_spawn_churn("fo-churn-parent", comm, processes, $0.baseAddress, Int32($0.count))
        }
        guard parent > 0 else { throw TestFailure("cannot start the churn: errno \(-parent)") }
        var status: Int32 = 0
        waitpid(parent, &status, 0)
        return status == 0
    }

    /// `fileopenctl --json` against `socket`: the one reply object.
    static func ctl(_ socket: String, _ arguments: [String]) throws -> [String: Any] {
        let result = try CommandResult.run(
            ChildProcess.binDirectory.appendingPathComponent("fileopenctl").path, ["--socket", socket, "--json"] + arguments
        )
        return try QuerySocketClient.object(String(result.output.split(separator: "\n").first ?? ""))
    }

    /// The values of a per-process family's series for `comm` (with `label` among its labels).
    static func series(_ samples: [String: Double], _ family: String, comm: String, label: String? = nil) -> [Double] {
        samples.filter { key, _ in
            key.hasPrefix(family + "{pid=") && key.contains(#",comm="\#(comm)""#) && label.map { key.contains($0) } ?? true
        }.map(\.value)
    }

    /// For `family` (e.g. "opens_total"), the sums of `fileopen_process_<family>` and of
    /// `fileopen_<family>` per label set other than pid and comm (errno, access).
    static func sumsByLabels(_ samples: [String: Double], family: String) -> (perProcess: [String: Double], perComm: [String: Double]) {
        func otherLabels(_ key: String) -> String {
            let labels = key.drop { $0 != "{" }.dropFirst().dropLast()
            return labels.split(separator: ",").filter { !$0.hasPrefix("pid=") && !$0.hasPrefix("comm=") }.joined(separator: ",")
        }
        var perProcess: [String: Double] = [:], perComm: [String: Double] = [:]
        for (key, value) in samples {
            if key.hasPrefix("fileopen_process_\(family){") { perProcess[otherLabels(key), default: 0] += value }
            if key.hasPrefix("fileopen_\(family){") { perComm[otherLabels(key), default: 0] += value }
        }
        return (perProcess, perComm)
    }
}

/// The detail levels, as the configuration names them (the test target does not link the daemon's modules).
enum DetailLevelName: String, CaseIterable, CustomStringConvertible {
    case events, counts

    var description: String { rawValue }
}

/// A child that keeps failing opens as fast as it can until told to stop, then says how many.
struct Flooder {
    let pid: Int32
    let stopPipe: (read: Int32, write: Int32)
    let reportPipe: (read: Int32, write: Int32)

    init(comm: String, path: String) throws {
        var stop: [Int32] = [0, 0], report: [Int32] = [0, 0]
        guard pipe(&stop) == 0, pipe(&report) == 0 else { throw TestFailure("pipe failed: errno \(errno)") }
        stopPipe = (stop[0], stop[1])
        reportPipe = (report[0], report[1])
        pid = cts_spawn_flooder(comm, path, stopPipe.read, reportPipe.write)
        guard pid > 0 else { throw TestFailure("cannot start the flooder: errno \(-pid)") }
    }

    /// Stops it; its number of opens.
    func stop() throws -> Int {
        _ = write(stopPipe.write, "x", 1)
        var opens = 0
        let count = read(reportPipe.read, &opens, MemoryLayout<Int>.size)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        [stopPipe.read, stopPipe.write, reportPipe.read, reportPipe.write].forEach { close($0) }
        guard count == MemoryLayout<Int>.size, status == 0 else { throw TestFailure("the flooder did not report") }
        return opens
    }
}

/// `kernel.pid_max`, raised for a test and restored after it.
struct PidMax {
    static let path = "/proc/sys/kernel/pid_max"
    let original: Int?

    /// Raises pid_max to at least `minimum` plus the pids in use, if lower.
    static func atLeast(_ minimum: Int) throws -> PidMax {
        let current = Int(try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        guard current < 4_194_304 && current < minimum + 32768 else { return PidMax(original: nil) }
        try Data("4194304\n".utf8).write(to: URL(fileURLWithPath: path))
        return PidMax(original: current)
    }

    func restore() {
        guard let original else { return }
        try? Data("\(original)\n".utf8).write(to: URL(fileURLWithPath: Self.path))
    }
}

/// The BPF maps a daemon holds, read with the real bpftool.
struct KernelMaps {
    /// Map name to id, from the map descriptors in /proc/PID/fdinfo.
    let ids: [String: Int]

    init(daemon pid: Int32) throws {
        var ids: [String: Int] = [:]
        let directory = "/proc/\(pid)/fdinfo"
        for entry in try FileManager.default.contentsOfDirectory(atPath: directory) {
            guard let info = try? String(contentsOfFile: "\(directory)/\(entry)", encoding: .utf8),
                  let line = info.split(separator: "\n").first(where: { $0.hasPrefix("map_id:") }),
                  let id = Int(line.dropFirst("map_id:".count).trimmingCharacters(in: .whitespaces)) else { continue }
            let show = try CommandResult.run("/usr/sbin/bpftool", ["-j", "map", "show", "id", String(id)])
            if let object = try JSONSerialization.jsonObject(with: Data(show.output.utf8)) as? [String: Any],
               let name = object["name"] as? String {
                ids[name] = id
            }
        }
        self.ids = ids
    }

    /// Entries of the `missed` map whose comm is one of `comms`.
    func missedEntries(comms: Set<String>) throws -> Int {
        guard let id = ids["missed"] else { throw TestFailure("the daemon holds no map named missed: \(ids)") }
        let dump = try CommandResult.run("/usr/sbin/bpftool", ["-j", "map", "dump", "id", String(id)])
        guard let entries = try JSONSerialization.jsonObject(with: Data(dump.output.utf8)) as? [[String: Any]] else {
            throw TestFailure("bpftool map dump: \(dump.output.prefix(200))")
        }
        return entries.filter { entry in
            let value = (entry["formatted"] as? [String: Any])?["value"] as? [String: Any]
            // bpftool prints a char array as a string when it holds text, else as numbers.
            if let comm = value?["comm"] as? String { return comms.contains(comm) }
            let bytes = (value?["comm"] as? [Any])?.compactMap { ($0 as? Int) ?? Int(($0 as? String) ?? "", radix: 16) } ?? []
            let comm = String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(truncatingIfNeeded: $0) }, as: UTF8.self)
            return comms.contains(comm)
        }.count
    }
}
