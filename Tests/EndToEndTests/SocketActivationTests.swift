import FileOpenTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real daemon under the real `systemd-socket-activate`, both endpoints passed by name
/// (`--fdname=metrics:query`, as `FileDescriptorName=` does): it serves on the inherited
/// descriptors and binds nothing of its own.
@Suite(
    "fileopend under systemd-socket-activate",
    .serialized,
    .enabled(if: TestEnvironment.canRunKernelTests, Comment(rawValue: TestEnvironment.kernelTestsSkipReason))
)
struct SocketActivationTests {
    @Test("serves /metrics and queries on the passed sockets")
    func servesInheritedSockets() throws {
        TestEnvironment.ensureTracefs()
        let scratch = try TestEnvironment.makeScratchDirectory("activate")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let activated = scratch.appendingPathComponent("query.sock").path
        // The daemon's own flags name other endpoints: it must not use them.
        let ownSocket = scratch.appendingPathComponent("own.sock").path
        let daemonPath = ChildProcess.binDirectory.appendingPathComponent("fileopend").path
        // systemd-socket-activate takes no port 0: a port the kernel just handed out and freed.
        let port = try PrometheusServer.freePort()
        // Through bash, which waits and exits with the daemon's status: systemd-socket-activate
        // closes every other descriptor before exec, including the one Foundation's Process
        // watches to notice an exit, so a directly launched activator would stall every other
        // child's reaping. Not dash: children inherit the test runner's thread signal mask, with
        // SIGCHLD blocked, and dash's `wait` then sleeps forever; bash unblocks SIGCHLD at start.
        // SIGTERM goes to the daemon itself (the shell's only child), as systemd sends it.
        let script = #""$@" & wait $!"#
        let daemon = try DaemonProcess("/bin/bash", [
            "-c", script, "bash", "/usr/bin/systemd-socket-activate",
            "-l", "127.0.0.1:\(port)", "-l", activated, "--fdname=metrics:query",
            daemonPath, "--listen", "127.0.0.1:0", "--socket", ownSocket,
        ])
        defer { daemon.stop() }
        // The activator execs the daemon at the first connection attempt, as systemd starts the service.
        let listening = TestEnvironment.waitUntil { daemon.errorOutput.contains("Listening on \(activated) as 4.") }
        #expect(listening, "systemd-socket-activate did not listen: \(daemon.errorOutput)")
        let metrics = try #require(MetricsClient(daemonLog: "serving metrics on http://127.0.0.1:\(port)/metrics"))
        // This first connection waits in the passed socket's backlog until the daemon accepts it.
        let scrape = try metrics.curl("/metrics")
        #expect(scrape.status == 0 && scrape.output.contains("fileopen_opens_total"), "\(scrape.errorOutput)")
        let passed = "(socket passed by the service manager)"
        let logged = TestEnvironment.waitUntil { daemon.errorOutput.contains("answering queries on \(activated) \(passed)") }
        #expect(logged, "\(daemon.errorOutput)")
        #expect(daemon.errorOutput.contains("serving metrics on http://127.0.0.1:\(port)/metrics \(passed)"))
        #expect(!FileManager.default.fileExists(atPath: ownSocket), "the daemon bound its own query socket")
        // And the passed query socket answers a status query.
        let query = try QuerySocketClient(path: activated)
        #expect(try query.result(["version": 1, "command": "status"])["attach_mode"] as? String == AutoAttachMode.expected)
        let activatedPID = try #require(Self.onlyChild(of: daemon.pid), "no daemon under sh")
        kill(activatedPID, SIGTERM)
        #expect(daemon.waitForExit() == 0, "pid \(activatedPID) \(daemon.errorOutput)")
        // The socket file is the activator's (systemd's): the daemon leaves it.
        #expect(FileManager.default.fileExists(atPath: activated))
    }

    /// The single child of `pid` (`/proc/PID/task/PID/children`), nil unless there is exactly one.
    static func onlyChild(of pid: Int32) -> Int32? {
        let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)
        let children = (text ?? "").split(separator: " ").compactMap { Int32($0) }
        return children.count == 1 ? children[0] : nil
    }
}
