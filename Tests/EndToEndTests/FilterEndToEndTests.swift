import CTestSupport
import FileOpenTestSupport
import Foundation
import Testing

/// The `filters` setting as an operator uses it: each kind (comm, uid, unit subtree, failed-only),
/// included and excluded, changed live by SIGHUP, with real processes that open nothing but what
/// is counted: exact counts for what passes, none for what is filtered, and the kernel's count
/// of filtered opens exact where only the test's processes can match. At both detail levels.
@Suite(
    "filters end to end",
    .serialized,
    .enabled(if: TestEnvironment.canRunKernelTests, Comment(rawValue: TestEnvironment.kernelTestsSkipReason))
)
struct FilterEndToEndTests {
    /// A running daemon with its configuration file, switched by reload.
    struct Harness {
        let daemon: DaemonProcess
        let client: MetricsClient
        let config: String
        let socket: String
        let level: DetailLevelName

        /// Rewrites the file with `filters`, reloads, and waits until they are in force (the
        /// metric reads the probe's filters after the kernel's settings word switched).
        func reload(_ filters: [String]) throws {
            let list = filters.map { "\"\($0)\"" }.joined(separator: ", ")
            try Data("detail_level: \(level)\nmax_processes: 1000000\nfilters: [\(list)]\n".utf8)
                .write(to: URL(fileURLWithPath: config))
            daemon.signal(SIGHUP)
            #expect(try TestEnvironment.waitUntil {
                let samples = MetricsClient.samples(try client.scrape())
                let info = samples.filter { $0.key.hasPrefix("fileopen_filter_info{") }
                return info.count == filters.count
                    && filters.allSatisfy { samples[#"fileopen_filter_info{filter="\#($0)"}"#] == 1 }
            }, "\(filters): \(daemon.errorOutput.suffix(2000))")
            let status = try ExactnessUnderLossTests.ctl(socket, ["status"])
            #expect((status["filters"] as? [String: Any])?["rules"] as? [String] == filters)
        }

        func filtered(_ kind: String) throws -> Double {
            try client.value(#"fileopen_filtered_opens_total{kind="\#(kind)"}"#) ?? -1
        }

        /// Waits until the process `pid` named `comm` has `count` opens (a later process than
        /// any filtered one, so what was filtered has been delivered by then, had it been).
        func expectCounted(_ pid: Int32, _ comm: String, _ count: Double) throws {
            let series = #"fileopen_process_opens_total{pid="\#(pid)",comm="\#(comm)"}"#
            #expect(try TestEnvironment.waitUntil { try client.value(series) == count }, "\(series)")
            #expect(try client.value(#"fileopen_opens_total{comm="\#(comm)"}"#) == count)
        }

        /// The process `pid` named `comm` counts nowhere.
        func expectNotCounted(_ pid: Int32, _ comm: String) throws {
            let samples = MetricsClient.samples(try client.scrape())
            #expect((samples[#"fileopen_process_opens_total{pid="\#(pid)",comm="\#(comm)"}"#] ?? 0) == 0, "\(comm)")
            #expect((samples[#"fileopen_opens_total{comm="\#(comm)"}"#] ?? 0) == 0, "\(comm)")
        }
    }

    /// Forks a child named `comm` running as `uid` that makes `count` failing opens of `path`, and reaps it.
    @discardableResult
    static func runOpener(as uid: UInt32, comm: String, path: String, count: Int) throws -> Int32 {
        let child = cts_spawn_opener_as(uid, uid, comm, CTS_OPENAT, path, O_RDONLY, count)
        guard child > 0 else { throw TestFailure("cts_spawn_opener_as: \(child)") }
        var status: Int32 = 0
        waitpid(child, &status, 0)
        guard status == 0 else { throw TestFailure("the opener as uid \(uid) exited with status \(status)") }
        return child
    }

    @Test("comm, uid, unit subtree and failed-only, included and excluded, changed by reload: exact counts, none filtered",
          arguments: DetailLevelName.allCases)
    func everyKindByReload(level: DetailLevelName) throws {
        let (root, unmount) = try UnitAttributionEndToEndTests.hierarchy()
        defer { if unmount { umount2(root, Int32(MNT_DETACH)) } }
        let tag = "\(getpid())x\(UInt16.random(in: 0...UInt16.max))"
        let base = root + "/fileopendfilter\(tag).slice"
        let (excludedUnit, keptUnit, laterUnit) = ("fx\(tag).service", "fk\(tag).service", "fl\(tag).service")
        try UnitAttributionEndToEndTests.makeDirectory(base)
        var made = [base]
        defer { for directory in made.reversed() { rmdir(directory) } }
        for name in [excludedUnit, keptUnit] {
            try UnitAttributionEndToEndTests.makeDirectory(base + "/" + name)
            made.append(base + "/" + name)
        }

        let scratch = try TestEnvironment.makeScratchDirectory("filters")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let missing = scratch.appendingPathComponent("missing").path
        let present = scratch.appendingPathComponent("present").path
        #expect(FileManager.default.createFile(atPath: present, contents: Data()))
        let (configDirectory, config) = try ConfigurationEndToEndTests.configurationFile(
            "detail_level: \(level)\nmax_processes: 1000000\n")
        defer { try? FileManager.default.removeItem(at: configDirectory) }
        let socket = configDirectory.appendingPathComponent("q.sock").path
        let (daemon, client) = try MetricsEndpointTests.startDaemon(
            ["--config", config], isolated: ["--listen", "127.0.0.1:0", "--socket", socket]
        )
        defer { daemon.stop() }
        let harness = Harness(daemon: daemon, client: client, config: config, socket: socket, level: level)
        let comm = { (tag: String) in MetricsEndpointTests.uniqueComm(tag) }

        // comm, excluded: the only opens the comm filter sees are the test's.
        let (excludedComm, keptComm) = (comm("xc"), comm("kc"))
        try harness.reload(["exclude comm=\(excludedComm)"])
        var before = try harness.filtered("comm")
        let excludedCommPID = MetricsEndpointTests.runOpener(comm: excludedComm, path: missing, count: 5)
        let keptCommPID = MetricsEndpointTests.runOpener(comm: keptComm, path: missing, count: 3)
        try harness.expectCounted(keptCommPID, keptComm, 3)
        try harness.expectNotCounted(excludedCommPID, excludedComm)
        #expect(try harness.filtered("comm") - before == 5)

        // comm, included: every other comm is filtered.
        let (onlyComm, otherComm) = (comm("ic"), comm("oc"))
        try harness.reload(["include comm=\(onlyComm)"])
        let otherCommPID = MetricsEndpointTests.runOpener(comm: otherComm, path: missing, count: 4)
        let onlyCommPID = MetricsEndpointTests.runOpener(comm: onlyComm, path: missing, count: 6)
        try harness.expectCounted(onlyCommPID, onlyComm, 6)
        try harness.expectNotCounted(otherCommPID, otherComm)

        // uid, excluded then included: a uid no other process runs as.
        let uid = UInt32.random(in: 40_000...60_000)
        let (uidComm, rootComm) = (comm("xu"), comm("ru"))
        try harness.reload(["exclude uid=\(uid)"])
        before = try harness.filtered("uid")
        let excludedUIDPID = try Self.runOpener(as: uid, comm: uidComm, path: missing, count: 5)
        let rootPID = MetricsEndpointTests.runOpener(comm: rootComm, path: missing, count: 3)
        try harness.expectCounted(rootPID, rootComm, 3)
        try harness.expectNotCounted(excludedUIDPID, uidComm)
        #expect(try harness.filtered("uid") - before == 5)
        let (includedUIDComm, otherRootComm) = (comm("iu"), comm("or"))
        try harness.reload(["include uid=\(uid)"])
        let otherRootPID = MetricsEndpointTests.runOpener(comm: otherRootComm, path: missing, count: 4)
        let includedUIDPID = try Self.runOpener(as: uid, comm: includedUIDComm, path: missing, count: 6)
        try harness.expectCounted(includedUIDPID, includedUIDComm, 6)
        try harness.expectNotCounted(otherRootPID, otherRootComm)

        // unit, excluded: the unit's cgroup and one made below it after the reload (marked by the
        // kernel at its mkdir from its parent's mark).
        try harness.reload(["exclude unit=\(excludedUnit)"])
        let inner = base + "/" + excludedUnit + "/inner.scope"
        try UnitAttributionEndToEndTests.makeDirectory(inner)
        made.append(inner)
        before = try harness.filtered("unit")
        let (unitComm, innerComm, keptUnitComm) = (comm("xn"), comm("in"), comm("kn"))
        let excludedUnitPID = try UnitAttributionEndToEndTests.run(
            in: base + "/" + excludedUnit, comm: unitComm, path: missing, count: 5)
        let innerPID = try UnitAttributionEndToEndTests.run(in: inner, comm: innerComm, path: missing, count: 2)
        let keptUnitPID = try UnitAttributionEndToEndTests.run(
            in: base + "/" + keptUnit, comm: keptUnitComm, path: missing, count: 3)
        try harness.expectCounted(keptUnitPID, keptUnitComm, 3)
        try harness.expectNotCounted(excludedUnitPID, unitComm)
        try harness.expectNotCounted(innerPID, innerComm)
        #expect(try harness.filtered("unit") - before == 7)

        // unit, included, by a name no cgroup has at the reload: the cgroup made afterwards is
        // marked by the kernel from its name; every other cgroup is filtered.
        try harness.reload(["include unit=\(laterUnit)"])
        try UnitAttributionEndToEndTests.makeDirectory(base + "/" + laterUnit)
        made.append(base + "/" + laterUnit)
        let (laterComm, outsideComm) = (comm("ln"), comm("on"))
        let outsidePID = try UnitAttributionEndToEndTests.run(
            in: base + "/" + keptUnit, comm: outsideComm, path: missing, count: 3)
        let laterPID = try UnitAttributionEndToEndTests.run(
            in: base + "/" + laterUnit, comm: laterComm, path: missing, count: 4)
        try harness.expectCounted(laterPID, laterComm, 4)
        try harness.expectNotCounted(outsidePID, outsideComm)

        // unit, a slice included and a unit under it excluded: the walk marks both from their
        // paths, and the exclusion wins; a cgroup outside the slice is filtered.
        let slice = (base as NSString).lastPathComponent
        try harness.reload(["include unit=\(slice)", "exclude unit=\(keptUnit)"])
        let (inSliceComm, excludedInSliceComm, outsideSliceComm) = (comm("is"), comm("es"), comm("os"))
        let outsideSlicePID = MetricsEndpointTests.runOpener(comm: outsideSliceComm, path: missing, count: 2)
        let excludedInSlicePID = try UnitAttributionEndToEndTests.run(
            in: base + "/" + keptUnit, comm: excludedInSliceComm, path: missing, count: 3)
        let inSlicePID = try UnitAttributionEndToEndTests.run(in: inner, comm: inSliceComm, path: missing, count: 5)
        try harness.expectCounted(inSlicePID, inSliceComm, 5)
        try harness.expectNotCounted(excludedInSlicePID, excludedInSliceComm)
        try harness.expectNotCounted(outsideSlicePID, outsideSliceComm)

        // failed-only: a process whose opens all succeed counts nowhere.
        try harness.reload(["failed-only"])
        let (succeedingComm, failingComm) = (comm("sf"), comm("ff"))
        let succeedingPID = MetricsEndpointTests.runOpener(comm: succeedingComm, path: present, count: 6)
        let failingPID = MetricsEndpointTests.runOpener(comm: failingComm, path: missing, count: 4)
        try harness.expectCounted(failingPID, failingComm, 4)
        try harness.expectNotCounted(succeedingPID, succeedingComm)

        // No filters again: what was excluded counts.
        try harness.reload([])
        let againPID = MetricsEndpointTests.runOpener(comm: excludedComm, path: missing, count: 2)
        try harness.expectCounted(againPID, excludedComm, 2)
        #expect(daemon.errorOutput.contains("changed filters [\"failed-only\"] -> []"), "\(daemon.errorOutput.suffix(2000))")
    }

    @Test("a bad filter on reload is refused with one line naming the key, and the filters in force stay")
    func badReloadKeepsFilters() throws {
        let (directory, config) = try ConfigurationEndToEndTests.configurationFile("filters: [\"exclude comm=fo-keep\"]\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let socket = directory.appendingPathComponent("q.sock").path
        let (daemon, client) = try MetricsEndpointTests.startDaemon(
            ["--config", config], isolated: ["--listen", "127.0.0.1:0", "--socket", socket]
        )
        defer { daemon.stop() }
        #expect(try client.value(#"fileopen_filter_info{filter="exclude comm=fo-keep"}"#) == 1)
        try Data("filters: [\"exclude pid=1\"]\n".utf8).write(to: URL(fileURLWithPath: config))
        daemon.signal(SIGHUP)
        #expect(TestEnvironment.waitUntil { daemon.errorOutput.contains("configuration reload refused") }, "\(daemon.errorOutput)")
        #expect(daemon.errorOutput.contains("invalid filters 'exclude pid=1'"), "\(daemon.errorOutput)")
        #expect(try client.value(#"fileopen_filter_info{filter="exclude comm=fo-keep"}"#) == 1)
    }
}
