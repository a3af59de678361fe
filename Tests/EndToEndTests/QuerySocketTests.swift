import CTestSupport
import FileOpenTestSupport
import Foundation
import Testing

/// The query socket of the real daemon: every command against opens the test performed itself,
/// hostile input, many clients, a tail client that never reads.
@Suite(
    "fileopend query socket",
    .serialized,
    .enabled(if: TestEnvironment.canRunKernelTests, Comment(rawValue: TestEnvironment.kernelTestsSkipReason))
)
struct QuerySocketTests {
    /// A started daemon, its metrics client and its query socket path.
    struct Daemon {
        let process: DaemonProcess
        let metrics: MetricsClient
        let socketPath: String

        init(_ arguments: [String] = []) throws {
            let isolated = DaemonProcess.isolatedArguments()
            socketPath = isolated[isolated.firstIndex(of: "--socket")! + 1]
            (process, metrics) = try MetricsEndpointTests.startDaemon(arguments, isolated: isolated)
            let path = socketPath
            guard TestEnvironment.waitUntil(timeout: .seconds(5), { FileManager.default.fileExists(atPath: path) }) else {
                throw TestFailure("no query socket at \(path): \(process.errorOutput)")
            }
        }

        func client() throws -> QuerySocketClient {
            try QuerySocketClient(path: socketPath)
        }

        func stop() {
            process.stop()
        }
    }

    @Test("status, top, proc, tail and reset answer with the counts of opens this test made")
    func everyCommand() throws {
        let daemon = try Daemon()
        defer { daemon.stop() }
        let client = try daemon.client()
        let comm = MetricsEndpointTests.uniqueComm("q")
        let path = "/nonexistent/fo-query-\(getpid())"

        // tail first, so it sees the opens.
        let tail = try daemon.client()
        let streaming = try tail.request(["version": 1, "command": "tail", "comm": comm])
        #expect(streaming["ok"] as? Bool == true)
        #expect((streaming["result"] as? [String: Any])?["streaming"] as? Bool == true)

        let pid = MetricsEndpointTests.runOpener(comm: comm, path: path, count: 14)
        #expect(try TestEnvironment.waitUntil {
            let top = try client.result(["version": 1, "command": "top", "comm": comm])
            return ((top["processes"] as? [[String: Any]])?.first?["exited"] as? Bool) == true
        })

        var tailed: [[String: Any]] = []
        while tailed.count < 15, let line = tail.readLine() {
            tailed.append(try QuerySocketClient.object(line))
        }
        #expect(tailed.filter { $0["event"] as? String == "open" && $0["path"] as? String == path }.count == 14)
        #expect(tailed.allSatisfy { $0["pid"] as? Int == Int(pid) && $0["comm"] as? String == comm })
        #expect(tailed.last?["event"] as? String == "exit")

        let status = try client.result(["version": 1, "command": "status"])
        #expect(status["attach_mode"] as? String == AutoAttachMode.expected)
        #expect(status["daemon_version"] as? String != nil)
        #expect(((status["records"] as? [String: Any])?["open"] as? Int ?? 0) >= 14)
        #expect((status["drops"] as? [String: Int])?.values.allSatisfy { $0 == 0 } == true)
        #expect(((status["clients"] as? [String: Any])?["connected"] as? Int ?? 0) >= 2)
        #expect(((status["clients"] as? [String: Any])?["tailing"] as? Int) == 1)

        let top = try client.result(["version": 1, "command": "top", "by": "errors", "limit": 5, "comm": comm])
        let entries = try #require(top["processes"] as? [[String: Any]])
        #expect(entries.count == 1)
        #expect(entries.first?["pid"] as? Int == Int(pid))
        #expect(entries.first?["opens"] as? Int == 14)
        #expect(entries.first?["errors"] as? Int == 14)
        #expect(top["window_seconds"] as? Double == 10)

        let proc = try client.result(["version": 1, "command": "proc", "pid": Int(pid)])
        #expect(proc["comm"] as? String == comm)
        #expect(proc["opens"] as? Int == 14)
        #expect(proc["failed"] as? Int == 14)
        #expect(proc["errors"] as? [String: Int] == ["ENOENT": 14])
        #expect(proc["exited"] as? Bool == true)
        let topPaths = try #require(proc["top_paths"] as? [[String: Any]])
        #expect(topPaths.first?["path"] as? String == path)
        #expect(topPaths.first?["opens"] as? Int == 14)
        #expect(proc["top_paths_opens"] as? Int == 14, "its list counted every open it made")

        let reset = try client.result(["version": 1, "command": "reset"])
        #expect(reset["reset"] as? Bool == true)
        #expect((reset["processes"] as? Int ?? 0) >= 1)
        let afterReset = try client.result(["version": 1, "command": "proc", "pid": Int(pid)])
        #expect((afterReset["top_paths"] as? [Any])?.isEmpty == true)
        #expect(afterReset["top_paths_opens"] as? Int == 0)
        #expect(afterReset["opens"] as? Int == 14, "reset never touches the counters")
        #expect(try daemon.metrics.value(#"fileopen_opens_total{comm="\#(comm)"}"#) == 14)

        let missing = try client.request(["version": 1, "command": "proc", "pid": 2_147_483_000])
        #expect((missing["error"] as? [String: Any])?["code"] as? String == "not_found")
    }

    @Test("hostile lines get JSON errors and the same connection keeps working", arguments: [
        ("not json", "invalid_json"),
        ("\u{1}\u{2}\u{3}garbage", "invalid_json"),
        ("[1,2,3]", "not_an_object"),
        (#"{"version":2,"command":"status"}"#, "unsupported_version"),
        (#"{"command":"status"}"#, "unsupported_version"),
        (#"{"version":1,"command":"shutdown"}"#, "unknown_command"),
        (#"{"version":1,"command":"proc","pid":"12"}"#, "invalid_argument"),
        (#"{"version":1,"command":"top","limit":0}"#, "invalid_argument"),
        (#"{"version":1,"command":"status","verbose":true}"#, "invalid_argument"),
        (String(repeating: "x", count: 5000), "line_too_long"),
    ])
    func hostileLines(line: String, code: String) throws {
        let daemon = try Daemon()
        defer { daemon.stop() }
        let client = try daemon.client()
        try client.send(line)
        let reply = try QuerySocketClient.object(try #require(client.readLine()))
        #expect(reply["ok"] as? Bool == false)
        #expect((reply["error"] as? [String: Any])?["code"] as? String == code)
        #expect(try client.result(["version": 1, "command": "status"])["attach_mode"] as? String == AutoAttachMode.expected)
    }

    @Test("100 concurrent clients all get their answers")
    func concurrentClients() throws {
        let daemon = try Daemon()
        defer { daemon.stop() }
        let answered = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 100) { _ in
            guard let client = try? daemon.client() else { return }
            for _ in 0..<3 {
                guard let status = try? client.result(["version": 1, "command": "status"]),
                      status["attach_mode"] as? String == AutoAttachMode.expected,
                      let top = try? client.result(["version": 1, "command": "top", "limit": 3]),
                      top["processes"] is [Any]
                else { return }
            }
            answered.withLock { $0 += 1 }
        }
        #expect(answered.value == 100)
    }

    @Test("a tail client that never reads slows nobody and is told exactly how much it missed")
    func stalledTail() throws {
        let daemon = try Daemon()
        defer { daemon.stop() }
        let comm = MetricsEndpointTests.uniqueComm("flood")
        let stalled = try daemon.client()
        try stalled.send(#"{"version":1,"command":"tail","comm":"\#(comm)"}"#)
        let other = try daemon.client()
        #expect(try TestEnvironment.waitUntil {
            let clients = try other.result(["version": 1, "command": "status"])["clients"] as? [String: Any]
            return clients?["tailing"] as? Int == 1
        }, "the tail subscription exists before the flood")
        let opens = 60_000
        let flooder = MetricsEndpointTests.runOpener(comm: comm, path: "/nonexistent/fo-flood", count: opens)

        // Meanwhile other clients are answered, and every open is counted.
        #expect(TestEnvironment.waitUntil(timeout: .seconds(30)) {
            (try? other.result(["version": 1, "command": "proc", "pid": Int(flooder)]))?["opens"] as? Int == opens
        })
        // The tail hub gets each batch just after the counters do: wait for the last one too.
        var status: [String: Any] = [:]
        #expect(try TestEnvironment.waitUntil {
            status = try other.result(["version": 1, "command": "status"])
            return (status["clients"] as? [String: Any])?["tail_dropped_events"] as? Int ?? 0 > 0
        }, "\(status)")
        #expect((status["drops"] as? [String: Int])?.values.allSatisfy { $0 == 0 } == true, "\(status)")
        #expect(try daemon.metrics.value("fileopen_tail_dropped_events_total") ?? 0 > 0)
        #expect(try daemon.metrics.value(#"fileopen_drops_total{reason="ring_buffer_full"}"#) == 0)

        // Now the stalled client reads: events it got plus what it was told it missed is exact.
        var events = 0
        var dropped = 0
        #expect(try QuerySocketClient.object(try #require(stalled.readLine()))["ok"] as? Bool == true)
        while events + dropped < opens + 1, let line = stalled.readLine() {
            let object = try QuerySocketClient.object(line)
            if let count = object["dropped"] as? Int { dropped += count } else { events += 1 }
        }
        #expect(dropped > 0)
        #expect(events + dropped == opens + 1, "opens plus the exit record")
    }

    @Test("fileopenctl: readable tables, --json that parses, one-line errors; access by group")
    func fileopenctlAgainstTheDaemon() throws {
        let group = "fo-query-test"
        _ = try CommandResult.run("/usr/sbin/groupadd", ["-f", group])
        let entry = try CommandResult.run("/usr/bin/getent", ["group", group]).output
        let gid = try #require(entry.split(separator: ":").dropFirst(2).first.flatMap { Int($0) })
        let daemon = try Daemon(["--socket-group", group])
        defer { daemon.stop() }
        let ctl = DaemonProcess.binDirectory.appendingPathComponent("fileopenctl").path
        let run = { (arguments: [String]) throws -> CommandResult in
            try CommandResult.run(ctl, ["--socket", daemon.socketPath] + arguments)
        }
        let comm = MetricsEndpointTests.uniqueComm("ctl")
        let pid = MetricsEndpointTests.runOpener(comm: comm, path: "/nonexistent/fo-ctl", count: 6)
        #expect(TestEnvironment.waitUntil { (try? run(["proc", String(pid)]))?.status == 0 })

        let status = try run(["status"])
        #expect(status.status == 0)
        #expect(status.output.contains("attach mode"))
        #expect(status.output.contains(AutoAttachMode.expected), "\(status.output)")
        let top = try run(["top", "--comm", comm])
        #expect(top.output.split(separator: "\n").first?.contains("OPENS") == true, "\(top.output)")
        #expect(top.output.contains("\(pid)  \(comm)"), "\(top.output)")
        let proc = try run(["--json", "proc", String(pid)])
        let object = try QuerySocketClient.object(proc.output.trimmingCharacters(in: .newlines))
        #expect(object["opens"] as? Int == 6)
        #expect((object["top_paths"] as? [[String: Any]])?.first?["path"] as? String == "/nonexistent/fo-ctl")
        let missing = try run(["proc", "2147483000"])
        #expect(missing.status == 1)
        #expect(missing.errorOutput == "fileopenctl: daemon error (not_found): no process with pid 2147483000 is tracked\n")

        // The socket is 0660 with the group: outsiders cannot even connect; members read but not reset.
        let asNobody = ["--reuid=65534", "--regid=65534", "--inh-caps=-all"]
        let outsider = try CommandResult.run("/usr/bin/setpriv", asNobody + ["--clear-groups", ctl, "--socket", daemon.socketPath, "status"])
        #expect(outsider.status == 77)
        #expect(outsider.errorOutput.hasPrefix("fileopenctl: permission denied: \(daemon.socketPath)"), "\(outsider.errorOutput)")
        #expect(outsider.errorOutput.filter { $0 == "\n" }.count == 1)
        let member = asNobody + ["--groups=\(gid)", ctl, "--socket", daemon.socketPath]
        #expect(try CommandResult.run("/usr/bin/setpriv", member + ["status"]).status == 0)
        let reset = try CommandResult.run("/usr/bin/setpriv", member + ["reset"])
        #expect(reset.status == 77)
        #expect(reset.errorOutput.hasPrefix("fileopenctl: daemon error (permission_denied): "), "\(reset.errorOutput)")
        let rootReset = try run(["reset"])
        #expect(rootReset.status == 0)
        #expect(rootReset.output.hasPrefix("reset the per-process detail of "))
    }
}
