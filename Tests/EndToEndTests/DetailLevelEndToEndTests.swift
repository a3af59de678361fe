import CTestSupport
import FileOpenTestSupport
import Foundation
import Testing

/// `detail_level` as users change it: at start, and live by SIGHUP, with counts exact across the
/// switch; and what needs events (--print) refusing the counts level with one clear line.
@Suite(
    "detail_level end to end",
    .serialized,
    .enabled(if: TestEnvironment.canRunKernelTests, Comment(rawValue: TestEnvironment.kernelTestsSkipReason))
)
struct DetailLevelEndToEndTests {
    @Test("SIGHUP switches events -> counts -> events: each process counted exactly once, before, during and after")
    func liveSwitch() throws {
        let (directory, path) = try ConfigurationEndToEndTests.configurationFile("detail_level: events\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let socket = directory.appendingPathComponent("q.sock").path
        let (daemon, client) = try MetricsEndpointTests.startDaemon(
            ["--config", path], isolated: ["--listen", "127.0.0.1:0", "--socket", socket]
        )
        defer { daemon.stop() }
        let absent = directory.appendingPathComponent("absent").path
        func series(_ pid: Int32, _ comm: String) -> String { #"fileopen_process_opens_total{pid="\#(pid)",comm="\#(comm)"}"# }

        let before = MetricsEndpointTests.uniqueComm("b4")
        let beforePID = MetricsEndpointTests.runOpener(comm: before, path: absent, count: 11)
        #expect(try TestEnvironment.waitUntil { try client.value(series(beforePID, before)) == 11 })

        // Reload to counts while a process is half-way: 7 opens recorded before, 5 counted after.
        var gate: [Int32] = [0, 0]
        #expect(pipe(&gate) == 0)
        defer { gate.forEach { close($0) } }
        let spanning = MetricsEndpointTests.uniqueComm("sp")
        let spanningPID = cts_spawn_gated_opener(spanning, CTS_OPENAT, absent, O_RDONLY, 7, gate[0], 5)
        #expect(try TestEnvironment.waitUntil { try client.value(series(spanningPID, spanning)) == 7 })
        // A tail client streaming when the level switches: its stream ends with the one error line.
        let ctlPath = ChildProcess.binDirectory.appendingPathComponent("fileopenctl").path
        let tail = Locked<CommandResult?>(nil)
        let tailEnded = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            tail.withLock { $0 = try? CommandResult.run(ctlPath, ["--socket", socket, "tail", "--comm", "no-such-comm"]) }
            tailEnded.signal()
        }
        #expect(try TestEnvironment.waitUntil {
            let clients = try ExactnessUnderLossTests.ctl(socket, ["status"])["clients"] as? [String: Any]
            return clients?["tailing"] as? Int == 1
        })
        try Data("detail_level: counts\n".utf8).write(to: URL(fileURLWithPath: path))
        daemon.signal(SIGHUP)
        #expect(try TestEnvironment.waitUntil { try client.value(#"fileopen_detail_level_info{level="counts"}"#) == 1 },
                "\(daemon.errorOutput)")
        #expect(daemon.errorOutput.contains("changed detail_level events -> counts"))
        #expect(tailEnded.wait(timeout: .now() + 10) == .success, "the tail stream ends at the switch")
        let ended = tail.value
        #expect(ended?.status == 1 && ended?.errorOutput.contains("(unavailable): tail needs detail_level events") == true,
                "\(String(describing: ended))")
        // A new tail at the counts level: the same line, at once.
        let refused = try CommandResult.run(ctlPath, ["--socket", socket, "tail"])
        #expect(refused.status == 1 && refused.errorOutput.split(separator: "\n").count == 1
                && refused.errorOutput.contains("set detail_level: events and reload"), "\(refused.errorOutput)")
        _ = write(gate[1], "x", 1)
        var status: Int32 = 0
        waitpid(spanningPID, &status, 0)
        let during = MetricsEndpointTests.uniqueComm("du")
        let duringPID = MetricsEndpointTests.runOpener(comm: during, path: absent, count: 13)
        // At the counts level a scrape folds the kernel's counts first: no wait needed.
        var samples = MetricsClient.samples(try client.scrape())
        #expect(samples[series(spanningPID, spanning)] == 12)
        #expect(samples[series(duringPID, during)] == 13)
        #expect(samples[#"fileopen_open_errors_total{comm="\#(during)",errno="ENOENT"}"#] == 13)
        let status1 = try ExactnessUnderLossTests.ctl(socket, ["status"])
        #expect(status1["detail_level"] as? String == "counts")

        try Data("detail_level: events\n".utf8).write(to: URL(fileURLWithPath: path))
        daemon.signal(SIGHUP)
        #expect(try TestEnvironment.waitUntil { try client.value(#"fileopen_detail_level_info{level="events"}"#) == 1 })
        let after = MetricsEndpointTests.uniqueComm("af")
        let afterPID = MetricsEndpointTests.runOpener(comm: after, path: absent, count: 3)
        #expect(try TestEnvironment.waitUntil { try client.value(series(afterPID, after)) == 3 })
        samples = MetricsClient.samples(try client.scrape())
        for (pid, comm, count) in [(beforePID, before, 11.0), (spanningPID, spanning, 12), (duringPID, during, 13)] {
            #expect(samples[series(pid, comm)] == count, "\(comm): nothing lost or counted twice by the switches")
            #expect(samples[#"fileopen_opens_total{comm="\#(comm)"}"#] == count)
        }
    }

    @Test("--print needs events: at the counts level it stops with one line naming the setting (exit 78)")
    func printRefusesCounts() throws {
        let daemon = try DaemonProcess("fileopend", ["--print", "--detail-level", "counts"] + DaemonProcess.isolatedArguments())
        #expect(daemon.waitForExit() == 78)
        let lines = daemon.errorOutput.split(separator: "\n").filter { $0.hasPrefix("fileopend: ") }
        #expect(lines.count == 1 && lines.first?.contains("--print needs detail_level events") == true, "\(daemon.errorOutput)")
    }

    @Test("--print running: a reload to counts is refused with one line, and the events keep coming")
    func printKeepsEvents() throws {
        let (directory, path) = try ConfigurationEndToEndTests.configurationFile("detail_level: events\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let daemon = try DaemonProcess("fileopend", ["--print", "--config", path] + DaemonProcess.isolatedArguments())
        defer { daemon.stop() }
        #expect(TestEnvironment.waitUntil { daemon.errorOutput.contains("answering queries on") })
        try Data("detail_level: counts\n".utf8).write(to: URL(fileURLWithPath: path))
        daemon.signal(SIGHUP)
        #expect(TestEnvironment.waitUntil { daemon.errorOutput.contains("detail_level stays events: --print needs detail_level events") },
                "\(daemon.errorOutput)")
        let absent = directory.appendingPathComponent("still-printed").path
        MetricsEndpointTests.runOpener(comm: "fo-e2e-keep", path: absent, count: 1)
        #expect(TestEnvironment.waitUntil { daemon.output.contains(absent) })
    }
}
