import CTestSupport
import FileOpenTestSupport
import Foundation
import Testing

/// `fileopend --print` as a user runs it: the real binary, real opens, real signals.
@Suite(
    "fileopend --print",
    .serialized,
    .enabled(if: TestEnvironment.canRunKernelTests, Comment(rawValue: TestEnvironment.kernelTestsSkipReason))
)
struct PrintModeTests {
    static let count = 10

    @Test("--json streams one object per open with pid, comm, errno; SIGINT stops it with totals")
    func jsonLines() throws {
        TestEnvironment.ensureTracefs()
        let daemon = try DaemonProcess("fileopend", ["--print", "--json"] + DaemonProcess.isolatedArguments())
        defer { daemon.stop() }
        #expect(TestEnvironment.waitUntil { daemon.errorOutput.contains("attached in ") }, "\(daemon.errorOutput)")

        let path = "/tmp/fo-e2e-json-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let comm = "fo-e2e-\(UInt16.random(in: 0...UInt16.max))"
        let child = cts_spawn_opener(comm, CTS_OPENAT, path, O_RDONLY, Self.count)
        var status: Int32 = 0
        waitpid(child, &status, 0)
        let childExit = "\"event\":\"exit\",\"time_ns\":"
        #expect(TestEnvironment.waitUntil { daemon.outputLines.contains { $0.contains(childExit) && $0.contains("\"pid\":\(child),") } })

        // One snapshot: the daemon goes on printing every other open on the host meanwhile.
        let lines = daemon.outputLines
        let objects = lines.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
        #expect(objects.count == lines.count, "every line is one JSON object")
        let mine = objects.filter { $0["path"] as? String == path }
        #expect(mine.count == Self.count)
        for object in mine {
            #expect(object["event"] as? String == "open")
            #expect(object["pid"] as? Int == Int(child))
            #expect(object["tid"] as? Int == Int(child))
            #expect(object["comm"] as? String == comm)
            #expect(object["errno"] as? Int == Int(ENOENT))
            #expect(object["error"] as? String == "ENOENT")
            #expect(object["fd"] is NSNull)
        }

        daemon.signal(SIGINT)
        #expect(daemon.waitForExit() == 0)
        let summary = daemon.errorOutput.split(separator: "\n").last.map(String.init) ?? ""
        #expect(summary.hasPrefix("fileopend: "), "\(summary)")
        // The daemon prints every open on the host, and other suites may flood it meanwhile: the
        // drops are those of the whole host, so the line must add up rather than say 0.
        let figures = summary.firstMatch(of: #/opens received, (\d+) dropped \(ring_buffer_full (\d+), pending_map_full (\d+), missed_map_full (\d+), missed_comm_map_full (\d+)\); /#)
        #expect(figures != nil, "\(summary)")
        if let figures {
            let reasons = [figures.2, figures.3, figures.4, figures.5].compactMap { Int($0) }
            #expect(Int(figures.1) == reasons.reduce(0, +), "\(summary)")
        }
        #expect(summary.hasSuffix("; 0 undecodable records"))
    }

    @Test("Text mode prints opensnoop's columns: PID TID COMM FD ERR FLAGS PATH")
    func textColumns() throws {
        TestEnvironment.ensureTracefs()
        let daemon = try DaemonProcess("fileopend", ["--print"] + DaemonProcess.isolatedArguments())
        defer { daemon.stop() }
        #expect(TestEnvironment.waitUntil { daemon.errorOutput.contains("attached in ") })
        let path = "/tmp/fo-e2e-text-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let child = cts_spawn_opener("fo-e2e-text", CTS_OPENAT, path, O_RDONLY | O_CLOEXEC, 1)
        var status: Int32 = 0
        waitpid(child, &status, 0)
        #expect(TestEnvironment.waitUntil { daemon.output.contains(path) })
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)

        let lines = daemon.outputLines
        #expect(lines.first == "PID     TID     COMM              FD  ERR FLAGS    PATH")
        let line = try #require(lines.first { $0.hasSuffix(path) })
        let columns = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        #expect(columns == [String(child), String(child), "fo-e2e-text", "-1", "2", "02000000", path])
    }

    @Test("Without root: one line naming the missing capabilities, exit status 77")
    func nonRootIsRefused() throws {
        let binary = DaemonProcess.binDirectory.appendingPathComponent("fileopend").path
        let daemon = try DaemonProcess("/usr/bin/setpriv", [
            "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", binary, "--print",
        ] + DaemonProcess.isolatedArguments())
        #expect(daemon.waitForExit() == 77)
        #expect(daemon.errorOutput == "fileopend: missing capability CAP_BPF and CAP_PERFMON: run as root, "
            + "or grant it (e.g. setcap cap_bpf,cap_perfmon+ep on the binary)\n")
        #expect(daemon.output.isEmpty)
    }
}

// One daemon at a time: a burst of starts (each opening its libraries) would crowd the tests that
// watch every open on the host.
@Suite("fileopend command line", .serialized)
struct CommandLineTests {
    /// Usage errors: one line, exit 64 (EX_USAGE), never swift-argument-parser's multi-line usage.
    static let usageErrors: [(arguments: [String], mentions: String)] = [
        (["--json"], "--json only applies with --print"),
        (["--bogus"], "Unknown option '--bogus'"),
        (["--retention"], "Missing value for '--retention <retention>'"),
        (["--print", "extra"], "Unexpected argument 'extra'"),
    ]

    @Test("A usage error is one line naming it, exit 64", arguments: 0..<usageErrors.count)
    func usageError(index: Int) throws {
        let (arguments, mentions) = Self.usageErrors[index]
        let daemon = try DaemonProcess("fileopend", arguments)
        #expect(daemon.waitForExit() == 64)
        #expect(daemon.errorOutput.hasPrefix("fileopend: ") && daemon.errorOutput.contains(mentions), "\(daemon.errorOutput)")
        #expect(daemon.errorOutput.split(separator: "\n").count == 1, "\(daemon.errorOutput)")
    }

    /// A bad value for every setting's flag: refused by the configuration with one line naming the
    /// key, the value and the flag (exit 78, EX_CONFIG), as the same value in the file would be.
    static let badFlags: [(arguments: [String], message: String)] = [
        (["--listen", "localhost:9469"], "invalid listen 'localhost:9469' from --listen: "),
        (["--listen", "127.0.0.1"], "invalid listen '127.0.0.1' from --listen: no ':PORT'"),
        (["--listen", "::1:9469"], "invalid listen '::1:9469' from --listen: "),
        (["--listen", "127.0.0.1:70000"], "invalid listen '127.0.0.1:70000' from --listen: "),
        (["--socket", "relative.sock"], "invalid socket 'relative.sock' from --socket: not an absolute path"),
        (["--socket-group", "-g"], "invalid socket_group '-g' from --socket-group: not a group name"),
        (["--mode", "uprobe"], "invalid attach_mode 'uprobe' from --mode: no such attach mode; allowed: auto, fentry, kprobe or tracepoint"),
        (["--hook-function", "do sys"], "invalid hook_function 'do sys' from --hook-function: not a kernel function name"),
        (["--ring-buffer-size", "5000"], "invalid ring_buffer_size '5000' from --ring-buffer-size: not a power of two"),
        (["--ring-buffer-size", "-4096"], "invalid ring_buffer_size '-4096' from --ring-buffer-size: out of range"),
        (["--drain-interval", "inf"], "invalid drain_interval 'inf' from --drain-interval: not a whole number"),
        (["--retention", "99999999999999999999"], "invalid retention '99999999999999999999' from --retention: not a whole number"),
        (["--retention", "-1"], "invalid retention '-1' from --retention: out of range"),
        (["--max-processes", "0"], "invalid max_processes '0' from --max-processes: out of range"),
        (["--max-comms", "1e9"], "invalid max_comms '1e9' from --max-comms: not a whole number"),
        (["--max-top-paths-processes", "nan"], "invalid max_top_paths_processes 'nan' from --max-top-paths-processes: not a whole number"),
        (["--rate-window", "3601"], "invalid rate_window '3601' from --rate-window: out of range"),
        (["--log-level", "loud"], "invalid log_level 'loud' from --log-level: no such log level"),
        (["--filter", "exclude uid=0", "--filter", "hide comm=x"], "invalid filters 'hide comm=x' from --filter: 'hide' is neither include nor exclude"),
    ]

    @Test("A bad value of any setting's flag is one line naming the key and the flag, exit 78", arguments: 0..<badFlags.count)
    func badFlag(index: Int) throws {
        let (arguments, message) = Self.badFlags[index]
        let daemon = try DaemonProcess("fileopend", arguments)
        #expect(daemon.waitForExit() == 78)
        #expect(daemon.errorOutput.hasPrefix("fileopend: \(message)"), "\(daemon.errorOutput)")
        #expect(daemon.errorOutput.split(separator: "\n").count == 1, "\(daemon.errorOutput)")
    }

    @Test("Every setting's flag is accepted and named as the source by --check-config")
    func everyFlag() throws {
        let flags: [(flag: String, value: String, line: String)] = [
            ("--listen", "127.0.0.1:0", #"listen: ["127.0.0.1:0"]"#), ("--web-config-file", "", #"web_config_file: """#),
            ("--socket", "/tmp/x.sock", #"socket: "/tmp/x.sock""#),
            ("--socket-group", "adm", #"socket_group: "adm""#), ("--mode", "kprobe", "attach_mode: kprobe"),
            ("--detail-level", "counts", "detail_level: counts"),
            ("--filter", "exclude uid=0", #"filters: ["exclude uid=0"]"#),
            ("--hook-function", "do_sys_open", #"hook_function: "do_sys_open""#),
            ("--ring-buffer-size", "8192", "ring_buffer_size: 8192"), ("--drain-interval", "5", "drain_interval: 5"),
            ("--retention", "0", "retention: 0"), ("--max-processes", "7", "max_processes: 7"),
            ("--max-comms", "8", "max_comms: 8"), ("--max-units", "9", "max_units: 9"),
            ("--max-top-paths-processes", "0", "max_top_paths_processes: 0"),
            ("--rate-window", "3600", "rate_window: 3600"), ("--log-level", "debug", "log_level: debug"),
        ]
        let check = try DaemonProcess("fileopend", ["--check-config", "--config", "/dev/null"] + flags.flatMap { [$0.flag, $0.value] })
        #expect(check.waitForExit() == 0, "\(check.errorOutput)")
        for (flag, _, line) in flags {
            #expect(check.output.contains("\(line)  # flag \(flag)\n"), "\(check.output)")
        }
        #expect(!check.output.contains("# default") && !check.output.contains("# file"), "a key has no flag: \(check.output)")
    }
}
