import FileOpenTestSupport
import Foundation
import Testing

/// The daemon's test-only controls that `make bench` uses: synthetic tracked processes
/// (FILEOPEND_TEST_SYNTHETIC_PROCESSES) and a timed consumer stall (FILEOPEND_TEST_FREEZE_CONSUMER_AFTER
/// with FILEOPEND_TEST_FREEZE_CONSUMER_FOR). They exist only in a build with the `TestHooks` trait.
@Suite(
    "fileopend benchmark controls (test-only)",
    .serialized,
    .enabled(if: TestEnvironment.canRunKernelTests, Comment(rawValue: TestEnvironment.kernelTestsSkipReason)),
    .enabled(if: TestEnvironment.canRunTestHookTests, Comment(rawValue: TestEnvironment.testHooksSkipReason))
)
struct BenchmarkControlsTests {
    @Test("synthetic processes are tracked from the start, with every per-process series")
    func syntheticProcesses() throws {
        try #require(TestEnvironment.hasTestHooks, "built without the TestHooks trait")
        let (daemon, client) = try MetricsEndpointTests.startDaemon(
            ["--max-processes", "5000"], environment: ["FILEOPEND_TEST_SYNTHETIC_PROCESSES": "1500"]
        )
        defer { daemon.stop() }
        let samples = MetricsClient.samples(try client.scrape())
        #expect((samples["fileopen_tracked_processes"] ?? 0) >= 1500)
        #expect(samples[#"fileopen_process_opens_total{pid="10000000",comm="synthetic-0"}"#] == 3)
        #expect(samples[#"fileopen_process_open_errors_total{pid="10001499",comm="synthetic-499",errno="ENOENT"}"#] == 1)
        #expect(daemon.errorOutput.contains("FILEOPEND_TEST_SYNTHETIC_PROCESSES=1500 is set (a test-only control)"))
    }

    @Test("a synthetic process count that is not one refuses to start (exit 64)")
    func syntheticProcessesInvalid() throws {
        try #require(TestEnvironment.hasTestHooks, "built without the TestHooks trait")
        let daemon = try DaemonProcess(
            "/usr/bin/env",
            ["FILEOPEND_TEST_SYNTHETIC_PROCESSES=lots", ChildProcess.binDirectory.appendingPathComponent("fileopend").path]
                + DaemonProcess.isolatedArguments()
        )
        #expect(daemon.waitForExit() == 64)
        #expect(daemon.errorOutput.contains("FILEOPEND_TEST_SYNTHETIC_PROCESSES=lots: expected a process count"))
    }

    @Test("a timed stall stops the consumer's drains for its length, once, then it drains on")
    func timedStall() throws {
        try #require(TestEnvironment.hasTestHooks, "built without the TestHooks trait")
        // Frozen from 1 s to 3 s after start; serving begins well within the first 0.7 s.
        let (daemon, client) = try MetricsEndpointTests.startDaemon(environment: [
            "FILEOPEND_TEST_FREEZE_CONSUMER_AFTER": "1", "FILEOPEND_TEST_FREEZE_CONSUMER_FOR": "2",
        ])
        defer { daemon.stop() }
        let drains = "fileopen_consumer_drains_total"
        Thread.sleep(forTimeInterval: 1.6)
        let during = try #require(try client.value(drains))
        Thread.sleep(forTimeInterval: 0.6)
        #expect(try client.value(drains) == during, "the consumer drained during the stall")
        Thread.sleep(forTimeInterval: 1.8)
        let after = try #require(try client.value(drains))
        #expect(after > during + 10, "the consumer did not drain on after the stall: \(during) → \(after)")
        #expect(daemon.errorOutput.contains("will freeze for 2.0 seconds, once"))
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
    }

    /// Bad freeze settings: the variables and what the single stderr line must contain.
    static let badFreezes: [(environment: [String], mentions: String)] = [
        (["FILEOPEND_TEST_FREEZE_CONSUMER_AFTER=inf"], "FILEOPEND_TEST_FREEZE_CONSUMER_AFTER=inf: expected seconds from 0 to 86400"),
        (["FILEOPEND_TEST_FREEZE_CONSUMER_AFTER=nan"], "FILEOPEND_TEST_FREEZE_CONSUMER_AFTER=nan: expected seconds"),
        (["FILEOPEND_TEST_FREEZE_CONSUMER_AFTER=1e300"], "FILEOPEND_TEST_FREEZE_CONSUMER_AFTER=1e300: expected seconds"),
        (["FILEOPEND_TEST_FREEZE_CONSUMER_AFTER=-1"], "FILEOPEND_TEST_FREEZE_CONSUMER_AFTER=-1: expected seconds"),
        (["FILEOPEND_TEST_FREEZE_CONSUMER_AFTER=soon"], "FILEOPEND_TEST_FREEZE_CONSUMER_AFTER=soon: expected seconds"),
        (["FILEOPEND_TEST_FREEZE_CONSUMER_AFTER=1", "FILEOPEND_TEST_FREEZE_CONSUMER_FOR=inf"],
         "FILEOPEND_TEST_FREEZE_CONSUMER_FOR=inf: expected seconds"),
        (["FILEOPEND_TEST_FREEZE_CONSUMER_FOR=1"],
         "FILEOPEND_TEST_FREEZE_CONSUMER_FOR is set without FILEOPEND_TEST_FREEZE_CONSUMER_AFTER"),
    ]

    @Test("a freeze setting that is not a number of seconds refuses to start with one line (exit 64), never a trap",
          arguments: 0..<badFreezes.count)
    func freezeInvalid(index: Int) throws {
        try #require(TestEnvironment.hasTestHooks, "built without the TestHooks trait")
        let (environment, mentions) = Self.badFreezes[index]
        let daemon = try DaemonProcess(
            "/usr/bin/env",
            environment + [ChildProcess.binDirectory.appendingPathComponent("fileopend").path] + DaemonProcess.isolatedArguments()
        )
        #expect(daemon.waitForExit() == 64)
        #expect(daemon.errorOutput.hasPrefix("fileopend: \(mentions)"), "\(daemon.errorOutput)")
        #expect(daemon.errorOutput.split(separator: "\n").count == 1, "\(daemon.errorOutput)")
    }
}
