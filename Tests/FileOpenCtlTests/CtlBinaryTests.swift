import FileOpenCore
import FileOpenCtlKit
import FileOpenTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The built `fileopenctl` against `FakeDaemon`, a stand-in for the daemon's socket: arguments,
/// output, exit statuses and signals as a user meets them. (The end-to-end tests run it against
/// the real daemon.)
@Suite("fileopenctl, the binary, against a stand-in daemon")
struct CtlBinaryTests {
    static let status: StatusReport = {
        var status = Fixtures.status
        status.ringBuffer.pendingBytes = 0
        return status
    }()
    static let top = TopReport(by: .opens, windowSeconds: 10, processes: [
        .init(pid: 1234, comm: "nginx", startNs: 1, exited: false, opens: 500, errors: 12, opensPerSecond: 3.2,
              errorsPerSecond: 0.1),
    ])
    /// The daemon's line for the nth open of /etc/fN by cat (6853), failed with ENOENT or not.
    static func event(_ n: Int, failed: Bool = false) -> String {
        EventLineFormatter.jsonLine(.open(Fixtures.open(
            tid: 6853, result: failed ? -2 : 3, path: "/etc/f\(n)", time: UInt64(n))))
    }
    static let streaming = FakeDaemon.reply(.streaming(StreamingReport()))

    /// A daemon that answers like the protocol document's examples.
    static func answer(_ line: String) -> [FakeDaemon.Action] {
        if line.contains(#""status""#) { return [FakeDaemon.reply(.status(status))] }
        if line.contains(#""top""#) { return [FakeDaemon.reply(.top(top))] }
        if line.contains(#""proc""#) {
            return [FakeDaemon.failure(.notFound, "no process with pid 99999 is tracked")]
        }
        if line.contains(#""reset""#) { return [FakeDaemon.failure(.permissionDenied, "reset needs root")] }
        return [FakeDaemon.failure(.unknownCommand, "no such command")]
    }

    private func withDaemon(
        _ respond: @escaping @Sendable (String) -> [FakeDaemon.Action] = answer, _ body: (FakeDaemon) throws -> Void
    ) throws {
        try #require(FileManager.default.isExecutableFile(atPath: CtlProcess.executable), "build fileopenctl first")
        let directory = try TestEnvironment.makeScratchDirectory("ctlbin")
        defer { try? FileManager.default.removeItem(at: directory) }
        let daemon = try FakeDaemon(path: directory.path + "/fo.sock", respond: respond)
        defer { daemon.stop() }
        try body(daemon)
    }

    @Test("status: a grouped table, or with --json one JSON line of the result object")
    func status() throws {
        try withDaemon { daemon in
            let table = try CtlProcess.run(["status", "--socket", daemon.path])
            #expect(table.status == 0)
            #expect(table.outputLines.first == "daemon")
            #expect(table.outputLines.contains("  attach mode            tracepoint"))
            #expect(table.outputLines.contains("  pending                      0 bytes (0.0% full)"))
            #expect(table.errorOutput == "")
            let json = try CtlProcess.run(["--json", "--socket", daemon.path, "status"])
            #expect(json.status == 0)
            #expect(json.outputLines.count == 1)
            let object = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
            #expect(object?["tracked_processes"] as? Int == 57)
            #expect(daemon.receivedRequests == Array(repeating: #"{"command":"status","version":1}"#, count: 2))
        }
    }

    @Test("top sends the options as the contract names them and prints the table")
    func top() throws {
        try withDaemon { daemon in
            let run = try CtlProcess.run(
                ["top", "--socket", daemon.path, "--by", "errors-rate", "--limit", "5", "--comm", "nginx"]
            )
            #expect(run.status == 0)
            #expect(run.outputLines == [
                " PID  COMM   OPENS  ERRORS  OPENS/S  ERRORS/S  EXITED",
                "1234  nginx    500      12      3.2       0.1  no",
            ])
            let request = #"{"by":"errors_rate","comm":"nginx","command":"top","limit":5,"version":1}"#
            #expect(daemon.receivedRequests == [request])
        }
    }

    @Test("A daemon error is one line on stderr and status 1; permission_denied is 77")
    func daemonErrors() throws {
        try withDaemon { daemon in
            let proc = try CtlProcess.run(["proc", "99999", "--socket", daemon.path])
            #expect(proc.status == 1)
            #expect(proc.output == "")
            #expect(proc.errorOutput == "fileopenctl: daemon error (not_found): no process with pid 99999 is tracked\n")
            let reset = try CtlProcess.run(["reset", "--socket", daemon.path])
            #expect(reset.status == 77)
            #expect(reset.errorOutput == "fileopenctl: daemon error (permission_denied): reset needs root\n")
        }
    }

    @Test("No daemon: 69 with the socket named; a stale socket says so")
    func notRunning() throws {
        let missing = try CtlProcess.run(["status", "--socket", "/nonexistent/fileopend.sock"])
        #expect(missing.status == 69)
        #expect(missing.errorOutput == "fileopenctl: daemon not running: no socket at /nonexistent/fileopend.sock\n")
        let directory = try TestEnvironment.makeScratchDirectory("ctlstale")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.path + "/stale.sock"
        close(try FakeDaemon.listening(at: path))
        let stale = try CtlProcess.run(["top", "--socket", path])
        #expect(stale.status == 69)
        #expect(stale.errorOutput == "fileopenctl: daemon not running: nothing listens on \(path) (stale socket)\n")
    }

    @Test(
        "Not allowed to connect (EACCES): 77 with the group to join",
        .enabled(if: TestEnvironment.canRunKernelTests, "needs root to drop to another user; always runs under CI=true")
    )
    func permissionDenied() throws {
        try withDaemon { daemon in
            #expect(chmod(daemon.path, 0o660) == 0)
            let run = try CtlProcess.run(
                ["status", "--socket", daemon.path],
                wrapper: ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
            )
            #expect(run.status == 77)
            #expect(
                run.errorOutput
                    == "fileopenctl: permission denied: \(daemon.path) (you need to be root or in group fileopend)\n"
            )
        }
    }

    @Test(
        "Usage errors exit with 2, as the contract says (not swift-argument-parser's 64)",
        arguments: [
            ["proc"], ["proc", "abc"], ["proc", "0"], ["top", "--limit", "0"], ["top", "--limit", "1001"],
            ["top", "--by", "bytes"], ["top", "--watch", "0"], ["tail", "--pid", "-3"], ["bogus"],
            ["status", "--bogus"],
            ["status", "--socket", String(repeating: "s", count: 200)],
            ["tail", "--path-prefix", String(repeating: "p", count: 5000)],
        ]
    )
    func usage(_ arguments: [String]) throws {
        let socket = arguments.contains("--socket") ? [] : ["--socket", "/nonexistent"]
        let run = try CtlProcess.run(arguments + socket)
        #expect(run.status == 2)
        #expect(run.errorOutput.hasPrefix("Error: "))
        #expect(run.output == "")
    }

    @Test("The daemon closing the connection mid-reply: status 1, one line")
    func closedMidReply() throws {
        try withDaemon({ _ in [.sendRaw(Array(#"{"version":1,"ok":true,"res"#.utf8)), .close] }) { daemon in
            let run = try CtlProcess.run(["status", "--socket", daemon.path])
            #expect(run.status == 1)
            #expect(run.errorOutput == "fileopenctl: daemon closed the connection\n")
        }
    }

    @Test("tail: header, one line per open, drops on stderr, exits 0 when the daemon ends the stream")
    func tail() throws {
        try withDaemon({ _ in
            [Self.streaming, .send(Self.event(1)), .send(#"{"dropped":3}"#), .send(Self.event(2, failed: true)),
             .send(#"{"event":"exit","time_ns":5,"pid":77,"comm":"sh","exit_code":0,"process_start_ns":8}"#), .close]
        }) { daemon in
            let run = try CtlProcess.run(["tail", "--socket", daemon.path, "--pid", "6853", "--failed"])
            #expect(run.status == 0)
            #expect(run.outputLines == [
                "PID     TID     COMM              FD  ERR PATH",
                "6853    6853    cat                3    0 /etc/f1",
                "6853    6853    cat               -1    2 /etc/f2",
            ])
            #expect(
                run.errorOutput == "# dropped 3 events (reader too slow)\nfileopenctl: the daemon closed the stream\n"
            )
            #expect(daemon.receivedRequests == [#"{"command":"tail","failed":true,"pid":6853,"version":1}"#])
        }
    }

    @Test("tail --json: every streamed line as it came, each valid JSON")
    func tailJSON() throws {
        let lines = [Self.event(1), #"{"dropped":3}"#, Self.event(2, failed: true)]
        try withDaemon({ _ in [Self.streaming] + lines.map { .send($0) } + [.close] }) { daemon in
            let run = try CtlProcess.run(["tail", "--json", "--socket", daemon.path])
            #expect(run.status == 0)
            #expect(run.outputLines.map(String.init) == lines)
            for line in run.outputLines {
                #expect(throws: Never.self) { try JSONSerialization.jsonObject(with: Data(line.utf8)) }
            }
        }
    }

    @Test("tail: Ctrl-C (SIGINT) ends it with status 0 and closes the connection")
    func tailInterrupted() throws {
        try withDaemon({ _ in [Self.streaming, .send(Self.event(1)), .awaitClientClose] }) { daemon in
            let ctl = try CtlProcess.start(["tail", "--socket", daemon.path])
            #expect(TestEnvironment.waitUntil { ctl.outputLines.count == 2 })
            ctl.signal(SIGINT)
            #expect(ctl.waitForExit() == 0)
            #expect(!ctl.wasSignaled)
            #expect(TestEnvironment.waitUntil { daemon.clientClosedConnections == 1 })
        }
    }

    @Test("top --watch without a terminal: rounds on one connection, a blank line and a title between, Ctrl-C is 0")
    func watch() throws {
        try withDaemon { daemon in
            let ctl = try CtlProcess.start(["top", "--socket", daemon.path, "--watch", "0.2"])
            #expect(TestEnvironment.waitUntil { daemon.receivedRequests.count >= 3 })
            ctl.signal(SIGINT)
            #expect(ctl.waitForExit() == 0)
            let lines = ctl.outputLines
            let title = "Every 0.2s: fileopenctl top, by opens, rates over 10s windows    20"
            #expect(lines.first?.hasPrefix(title) == true)
            #expect(!ctl.output.contains("\u{1b}"))
            let titles = lines.indices.filter { lines[$0].hasPrefix("Every 0.2s:") }
            #expect(titles.count >= 3)
            for index in titles.dropFirst() { #expect(lines[index - 1] == "") }
        }
    }

    @Test(
        "top --watch on a terminal clears the screen before each round",
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script") || TestEnvironment.isCI,
            "needs script(1) (package bsdutils) for a terminal; always runs under CI=true"
        )
    )
    func watchOnTerminal() throws {
        try withDaemon { daemon in
            // script(1) gives fileopenctl a pseudo-terminal; timeout(1) is its Ctrl-C after 1 s.
            let command = "/usr/bin/timeout --preserve-status -s INT 1 \(CtlProcess.executable) top --watch 0.2 "
                + "--socket \(daemon.path)"
            let run = try CtlProcess.run(["-qec", command, "/dev/null"], wrapper: ["/usr/bin/script"], replacing: true)
            #expect(run.status == 0)
            #expect(run.output.components(separatedBy: "\u{1b}[H\u{1b}[2J").count >= 3)
            #expect(run.output.contains("Every 0.2s: fileopenctl top, by opens"))
        }
    }

    @Test("top --watch alone redraws every 2 seconds; --json --watch prints one JSON line per round")
    func watchDefaults() throws {
        try withDaemon { daemon in
            let ctl = try CtlProcess.start(["top", "--watch", "--socket", daemon.path, "--json"])
            #expect(TestEnvironment.waitUntil { daemon.receivedRequests.count >= 1 })
            Thread.sleep(forTimeInterval: 1)
            #expect(daemon.receivedRequests.count == 1)
            ctl.signal(SIGTERM)
            #expect(ctl.waitForExit() == 0)
            #expect(ctl.outputLines.count == 1)
            // The result as the daemon encoded it, byte for byte.
            #expect(ctl.outputLines.first.map(String.init) == String(decoding: try QueryJSON.encode(Self.top), as: UTF8.self))
        }
    }

    @Test("Help for each subcommand, and completion scripts", arguments: ["status", "top", "proc", "tail", "reset"])
    func help(_ subcommand: String) throws {
        let run = try CtlProcess.run([subcommand, "--help"])
        #expect(run.status == 0)
        #expect(run.output.contains("USAGE: fileopenctl \(subcommand)"))
        #expect(run.output.contains("--socket <path>"))
        #expect(run.output.contains("--json"))
        let completion = try CtlProcess.run(["--generate-completion-script", "bash"])
        #expect(completion.status == 0)
        #expect(completion.output.contains("fileopenctl"))
    }
}
