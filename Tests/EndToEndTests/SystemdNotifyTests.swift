import FileOpenTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real daemon against a test `NOTIFY_SOCKET`: READY=1 only once it is attached and serving,
/// STATUS= lines for the phases, STOPPING=1 on SIGTERM, and WATCHDOG=1 at half of `WATCHDOG_USEC`
/// — only while the consumer thread drains (the test-only freeze stops them).
@Suite(
    "fileopend under a test NOTIFY_SOCKET",
    .serialized,
    .enabled(if: TestEnvironment.canRunKernelTests, Comment(rawValue: TestEnvironment.kernelTestsSkipReason))
)
struct SystemdNotifyTests {
    @Test("READY=1 after attach and bind, with STATUS= lines; STOPPING=1 on SIGTERM")
    func readyAfterAttachAndBind() throws {
        TestEnvironment.ensureTracefs()
        let notify = try NotifySocket()
        let daemon = try notify.launchDaemon(DaemonProcess.isolatedArguments())
        defer { daemon.stop() }
        let messages = try notify.wait(for: "READY=1")
        // At the moment READY=1 is read, /metrics answers: the address comes from READY's own
        // STATUS= line, and the scrape is the first thing done.
        let ready = try #require(messages.last)
        let address = try #require(
            ready.range(of: #"serving metrics on 127\.0\.0\.1:[0-9]+"#, options: .regularExpression), "no address in \(ready)"
        )
        let client = MetricsClient(baseURL: "http://" + ready[address].dropFirst("serving metrics on ".count))
        let scrape = try client.curl("/metrics")
        #expect(scrape.status == 0 && scrape.output.contains("fileopen_"), "READY=1 before /metrics answered")
        // The log is read from a pipe asynchronously: wait for it, then check the order in it.
        #expect(TestEnvironment.waitUntil { daemon.errorOutput.contains("answering queries on") }, "\(daemon.errorOutput)")
        let log = daemon.errorOutput
        let attached = try #require(log.range(of: "attached in"), "\(log)")
        #expect(attached.lowerBound < log.range(of: "serving metrics on")!.lowerBound)
        #expect(messages.count >= 3, "\(messages)")
        #expect(messages.first == "STATUS=binding the metrics and query sockets")
        #expect(messages.dropLast().contains { $0.hasPrefix("STATUS=attaching in auto mode") })
        #expect(ready.hasPrefix("READY=1\nSTATUS=attached in \(AutoAttachMode.expected) mode; serving metrics on 127.0.0.1:"), "\(ready)")
        #expect(ready.contains("; queries on /tmp/fileopend-test-"))
        #expect(!messages.dropLast().contains { $0.contains("READY=1") })
        // No watchdog without WATCHDOG_USEC.
        #expect(notify.collect(for: .milliseconds(300)).isEmpty)

        daemon.signal(SIGTERM)
        let stopping = try notify.wait(for: "STOPPING=1", timeout: .seconds(10))
        #expect(stopping.last?.hasPrefix("STOPPING=1\nSTATUS=stopping") == true)
        #expect(daemon.waitForExit() == 0)
    }

    @Test(
        "WATCHDOG=1 every WATCHDOG_USEC/2 while the consumer drains; none once it is frozen",
        .enabled(if: TestEnvironment.canRunTestHookTests, Comment(rawValue: TestEnvironment.testHooksSkipReason))
    )
    func watchdogFollowsTheConsumer() throws {
        try #require(TestEnvironment.hasTestHooks, "built without the TestHooks trait: no consumer freeze")
        TestEnvironment.ensureTracefs()
        let notify = try NotifySocket()
        let daemon = try notify.launchDaemon(
            DaemonProcess.isolatedArguments(),
            environment: ["WATCHDOG_USEC": "1000000", "FILEOPEND_TEST_FREEZE_CONSUMER_AFTER": "3"]
        )
        defer { daemon.stop() }
        _ = try notify.wait(for: "READY=1")
        // Before the freeze (3 s after start): a keep-alive every 0.5 s.
        let pings = notify.collect(for: .milliseconds(2400)).filter { $0.message == "WATCHDOG=1" }.map(\.at)
        #expect(pings.count >= 4 && pings.count <= 5, "\(pings.count) keep-alives in 2.4 s")
        let gaps = zip(pings.dropFirst(), pings).map { $0 - $1 }
        for gap in gaps {
            #expect(gap > .milliseconds(400) && gap < .milliseconds(650), "keep-alive gap \(gap), expected ~500 ms")
        }
        // Frozen at 3 s; the last keep-alive comes within one interval of the last drain.
        _ = notify.collect(for: .milliseconds(2000))
        let late = notify.collect(for: .milliseconds(2000)).filter { $0.message == "WATCHDOG=1" }
        #expect(late.isEmpty, "\(late.count) keep-alives after the consumer froze")
        #expect(daemon.errorOutput.contains("withholding watchdog keep-alives"))
        // The freeze ends at stop, so SIGTERM still ends the daemon cleanly.
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
    }
}
