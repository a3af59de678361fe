import CTestSupport
import FileOpenTestSupport
import Foundation
import Testing

/// Attribution as it happens on a host: real v2 cgroups made for the test (a service, a
/// cri-containerd and a docker container scope), statically built processes moved into them
/// that open nothing but what is counted, and the per-unit families read from /metrics at both
/// detail levels: exact per unit and container id, a cgroup made, used and removed before the
/// scrape still named, and the unit cap folding exactly into `[other]`.
@Suite(
    "Units end to end: real cgroups",
    .serialized,
    .enabled(if: TestEnvironment.canRunKernelTests, Comment(rawValue: TestEnvironment.kernelTestsSkipReason))
)
struct UnitAttributionEndToEndTests {
    /// Where the host mounts the v2 hierarchy, else a mount made for the test (then `unmount`).
    static func hierarchy() throws -> (path: String, unmount: Bool) {
        let mountinfo = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        for line in mountinfo.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if let dash = fields.firstIndex(of: "-"), dash + 1 < fields.count, fields[dash + 1] == "cgroup2", fields[3] == "/" {
                return (String(fields[4]), false)
            }
        }
        let directory = try TestEnvironment.makeScratchDirectory("cgroup2").path
        guard mount("none", directory, "cgroup2", 0, nil) == 0 else {
            throw TestFailure("mount -t cgroup2 \(directory): errno \(errno)")
        }
        return (directory, true)
    }

    /// Room for every process of other tests running meanwhile (a churn test makes 20,000), so
    /// that the processes `proc` is asked about are never folded into pid="other".
    static let maxProcesses = 1_000_000

    static func randomContainerID() -> String {
        String((0..<64).map { _ in "0123456789abcdef".randomElement()! })
    }

    /// Forks a child named `comm` that waits, is moved into the cgroup `directory`, then makes
    /// `count` failing opens of `path` there, and reaps it; returns its pid.
    @discardableResult
    static func run(in directory: String, comm: String, path: String, count: Int) throws -> Int32 {
        var gate: [Int32] = [0, 0]
        guard pipe(&gate) == 0 else { throw TestFailure("pipe: errno \(errno)") }
        defer { gate.forEach { close($0) } }
        let child = cts_spawn_gated_opener(comm, CTS_OPENAT, path, O_RDONLY, 0, gate[0], count)
        guard child > 0 else { throw TestFailure("cts_spawn_gated_opener: \(child)") }
        defer {
            _ = write(gate[1], "x", 1)
            var status: Int32 = 0
            waitpid(child, &status, 0)
        }
        guard let procs = FileHandle(forWritingAtPath: directory + "/cgroup.procs") else {
            throw TestFailure("cannot open \(directory)/cgroup.procs")
        }
        defer { try? procs.close() }
        try procs.write(contentsOf: Data("\(child)\n".utf8))
        return child
    }

    static func makeDirectory(_ path: String) throws {
        guard mkdir(path, 0o755) == 0 else { throw TestFailure("mkdir \(path): errno \(errno)") }
    }

    @Test("opens count exactly per unit and container id; a short-lived cgroup is named; the cap folds into [other]",
          arguments: DetailLevelName.allCases)
    func perUnit(level: DetailLevelName) throws {
        let (root, unmount) = try Self.hierarchy()
        defer { if unmount { umount2(root, Int32(MNT_DETACH)) } }
        let base = root + "/fileopendtest\(getpid())x\(UInt16.random(in: 0...UInt16.max)).slice"
        let (criID, dockerID) = (Self.randomContainerID(), Self.randomContainerID())
        let names = ["alpha.service", "cri-containerd-\(criID).scope", "docker-\(dockerID).scope", "spill1.service", "spill2.service"]
        try Self.makeDirectory(base)
        var made = [base]
        defer { for directory in made.reversed() { rmdir(directory) } }
        for name in names {
            try Self.makeDirectory(base + "/" + name)
            made.append(base + "/" + name)
        }
        let scratch = try TestEnvironment.makeScratchDirectory("units")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let missing = scratch.appendingPathComponent("missing").path

        let (configDirectory, config) = try ConfigurationEndToEndTests.configurationFile(
            "detail_level: \(level)\nmax_processes: \(Self.maxProcesses)\n")
        defer { try? FileManager.default.removeItem(at: configDirectory) }
        let socket = configDirectory.appendingPathComponent("q.sock").path
        let (daemon, client) = try MetricsEndpointTests.startDaemon(
            ["--config", config], isolated: ["--listen", "127.0.0.1:0", "--socket", socket]
        )
        defer { daemon.stop() }
        func unit(_ name: String, container: String = "") -> String {
            container.isEmpty ? #"fileopen_unit_opens_total{unit="\#(name)"}"#
                : #"fileopen_unit_opens_total{unit="\#(name)",container_id="\#(container)"}"#
        }
        _ = FileManager.default.contents(atPath: "/etc/hostname")
        #expect(try TestEnvironment.waitUntil { try (client.value(unit("-.slice")) ?? 0) > 0 }, "\(daemon.errorOutput)")
        // Room for the host's units (here every process is in the root cgroup, -.slice, but other
        // tests may run containers) and four more: alpha, the two containers and the short-lived
        // one; spill1 and spill2 overflow. max_units changes live, by reload.
        let limit = try #require(try client.value("fileopen_tracked_units")) + 4
        try Data("detail_level: \(level)\nmax_processes: \(Self.maxProcesses)\nmax_units: \(Int(limit))\n".utf8)
            .write(to: URL(fileURLWithPath: config))
        daemon.signal(SIGHUP)
        #expect(try TestEnvironment.waitUntil { try client.value("fileopen_tracked_unit_limit") == limit })

        let comm = MetricsEndpointTests.uniqueComm("un")
        var expected: [(directory: String, series: String, opens: Double)] = [
            (base + "/" + names[0], unit("alpha.service"), 3),
            (base + "/" + names[1], unit(names[1], container: criID), 5),
            (base + "/" + names[2], unit(names[2], container: dockerID), 7),
        ]
        var pids: [Int32] = []
        for (directory, series, opens) in expected {
            pids.append(try Self.run(in: directory, comm: comm, path: missing, count: Int(opens)))
            // One at a time, so the units take the cap's places in this order at either level.
            #expect(try TestEnvironment.waitUntil { try client.value(series) == opens }, "\(series)")
        }

        // A process that moves: 6 opens where the test runs, then 9 in alpha, each counted where it
        // was made (at the counts level too, where the kernel keeps them per cgroup).
        var gate: [Int32] = [0, 0]
        #expect(pipe(&gate) == 0)
        let mover = cts_spawn_gated_opener(comm, CTS_OPENAT, missing, O_RDONLY, 6, gate[0], 9)
        let moverSeries = #"fileopen_process_opens_total{pid="\#(mover)",comm="\#(comm)"}"#
        #expect(try TestEnvironment.waitUntil { try client.value(moverSeries) == 6 })
        let procs = try #require(FileHandle(forWritingAtPath: expected[0].directory + "/cgroup.procs"))
        try procs.write(contentsOf: Data("\(mover)\n".utf8))
        try procs.close()
        _ = write(gate[1], "x", 1)
        var moverStatus: Int32 = 0
        waitpid(mover, &moverStatus, 0)
        gate.forEach { close($0) }
        expected[0].opens += 9
        #expect(try TestEnvironment.waitUntil { try client.value(expected[0].series) == 12 })
        #expect(try client.value(moverSeries) == 15)

        // Made after the start (learned from the kernel's cgroup_mkdir record), used and removed
        // before the scrape.
        let brief = base + "/brief.service"
        try Self.makeDirectory(brief)
        try Self.run(in: brief, comm: comm, path: missing, count: 4)
        #expect(rmdir(brief) == 0)
        if level == .counts {
            // A scrape drains the ring before it folds the kernel's counts: the first one names it.
            #expect(MetricsClient.samples(try client.scrape())[unit("brief.service")] == 4)
        } else {
            #expect(try TestEnvironment.waitUntil { try client.value(unit("brief.service")) == 4 })
        }

        try Self.run(in: base + "/" + names[3], comm: comm, path: missing, count: 2)
        try Self.run(in: base + "/" + names[4], comm: comm, path: missing, count: 6)
        #expect(try TestEnvironment.waitUntil {
            try client.value(#"fileopen_opens_total{comm="\#(comm)"}"#) == Double(3 + 15 + 5 + 7 + 4 + 8)
        })

        let samples = MetricsClient.samples(try client.scrape())
        for (_, series, opens) in expected { #expect(samples[series] == opens, "\(series)") }
        #expect(samples[#"fileopen_unit_open_errors_total{unit="alpha.service",errno="ENOENT"}"#] == 12)
        #expect(samples[#"fileopen_unit_opens_by_access_total{unit="docker-\#(dockerID).scope",container_id="\#(dockerID)",access="read"}"#] == 7)
        #expect(samples[unit("spill1.service")] == nil && samples[unit("spill2.service")] == nil)
        #expect(samples["fileopen_tracked_units"] == limit, "\(samples.filter { $0.key.hasPrefix("fileopen_unit_opens_total") })")
        // The spilled 8 are in [other] (with any other unit that came after the cap was reached).
        #expect((samples[unit("[other]")] ?? 0) >= 8)
        #expect(samples["fileopen_unit_overflow_opens_total"] == samples[unit("[other]")])
        #expect(samples[#"fileopen_opens_total{comm="\#(comm)"}"#] == Double(3 + 15 + 5 + 7 + 4 + 8))
        // One scrape is one snapshot: the per-unit family sums to the per-comm one exactly.
        let byUnit = samples.filter { $0.key.hasPrefix("fileopen_unit_opens_total{") }.values.reduce(0, +)
        let byComm = samples.filter { $0.key.hasPrefix("fileopen_opens_total{") }.values.reduce(0, +)
        #expect(byUnit == byComm)
        #expect(samples.keys.contains { $0.hasPrefix("fileopen_cgroup_hierarchy_info{") && $0.contains(#"mount="\#(root)""#) })

        // The queries: top by unit, each process's unit and container id.
        let query = try QuerySocketClient(path: socket)
        let top = try query.result(["version": 1, "command": "top", "group": "unit", "limit": 1000])
        let totals = top["totals"] as? [[String: Any]] ?? []
        func total(_ name: String) -> [String: Any]? { totals.first { $0["name"] as? String == name } }
        #expect(total("alpha.service")?["opens"] as? Int == 12 && total("alpha.service")?["errors"] as? Int == 12, "\(top)")
        #expect(total(names[2])?["container_id"] as? String == dockerID && total(names[2])?["opens"] as? Int == 7)
        #expect(total("alpha.service")?["container_id"] == nil)
        let alphaProcess = try query.result(["version": 1, "command": "proc", "pid": Int(pids[0])])
        #expect(alphaProcess["unit"] as? String == "alpha.service" && alphaProcess["container_id"] == nil, "\(alphaProcess)")
        let criProcess = try query.result(["version": 1, "command": "proc", "pid": Int(pids[1])])
        #expect(criProcess["unit"] as? String == names[1] && criProcess["container_id"] as? String == criID)
        let table = try CommandResult.run(
            ChildProcess.binDirectory.appendingPathComponent("fileopenctl").path,
            ["--socket", socket, "top", "--by", "unit", "--limit", "1000"])
        #expect(table.output.split(separator: "\n").contains { line in
            line.split(separator: " ").map(String.init) == ["docker-\(dockerID).scope", "7", "7", String(dockerID.prefix(12))]
        }, "\(table.output)")

        // tail --unit: only the opens (and the exit) of a process in that unit.
        guard level == .events else { return }
        let tail = try QuerySocketClient(path: socket)
        _ = try tail.request(["version": 1, "command": "tail", "unit": "alpha.service"])
        try Self.run(in: base + "/" + names[3], comm: comm, path: missing, count: 3)
        let tailed = try Self.run(in: base + "/" + names[0], comm: comm, path: missing, count: 2)
        var lines: [[String: Any]] = []
        while lines.count < 3, let line = tail.readLine() { lines.append(try QuerySocketClient.object(line)) }
        #expect(lines.map { $0["event"] as? String } == ["open", "open", "exit"], "\(lines)")
        #expect(lines.allSatisfy { $0["pid"] as? Int == Int(tailed) })
    }
}
