import FileOpenTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real daemon and its configuration: bad settings refused at start with one line and the
/// documented exit status, `--check-config` without privileges, and SIGHUP reloads that change
/// live settings without detaching the probe or losing a count, and refuse a bad file.
@Suite(
    "fileopend configuration and reload",
    .serialized,
    .enabled(if: TestEnvironment.canRunKernelTests, Comment(rawValue: TestEnvironment.kernelTestsSkipReason))
)
struct ConfigurationEndToEndTests {
    /// A scratch configuration file holding `text`.
    static func configurationFile(_ text: String) throws -> (directory: URL, path: String) {
        let directory = try TestEnvironment.makeScratchDirectory("e2e-config")
        let path = directory.appendingPathComponent("fileopend.yaml").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return (directory, path)
    }

    /// Bad starts: the file's text (nil: no file written, `--config` points at a missing one), the
    /// extra arguments, the status, and what the single stderr line must contain.
    static let badStarts: [(file: String?, arguments: [String], status: Int32, mentions: String)] = [
        ("retention: soon", [], 78, "invalid retention 'soon' in "),
        ("max_proceses: 5", [], 78, "unknown key 'max_proceses' in "),
        ("ring_buffer_size: 1000", [], 78, "invalid ring_buffer_size '1000' in "),
        ("listen: [\"127.0.0.1:70000\"]", [], 78, "invalid listen '127.0.0.1:70000' in "),
        ("log_level: [info]", [], 78, "invalid log_level"),
        ("retention: 5", ["--max-processes=0"], 78, "invalid max_processes '0' from --max-processes"),
        (nil, [], 78, "cannot read configuration file "),
    ]

    @Test("Each bad configuration: one line naming the cause, exit 78", arguments: 0..<badStarts.count)
    func badConfiguration(index: Int) throws {
        let (text, arguments, status, mentions) = Self.badStarts[index]
        let (directory, path) = try Self.configurationFile(text ?? "")
        defer { try? FileManager.default.removeItem(at: directory) }
        if text == nil { try FileManager.default.removeItem(atPath: path) }
        let daemon = try DaemonProcess("fileopend", ["--config", path] + DaemonProcess.isolatedArguments() + arguments)
        #expect(daemon.waitForExit() == status)
        let lines = daemon.errorOutput.split(separator: "\n")
        #expect(lines.count == 1, "\(daemon.errorOutput)")
        #expect(lines.first?.hasPrefix("fileopend: ") == true && lines.first?.contains(mentions) == true, "\(daemon.errorOutput)")
    }

    @Test("A metrics address already in use: one line naming it, exit 69 (EX_UNAVAILABLE)")
    func addressInUse() throws {
        let (first, client) = try MetricsEndpointTests.startDaemon()
        defer { first.stop() }
        let address = String(client.baseURL.dropFirst("http://".count))
        let second = try DaemonProcess("fileopend", ["--listen", address, "--socket", "/tmp/fileopend-test-\(getpid())-inuse.sock"])
        #expect(second.waitForExit() == 69)
        let lines = second.errorOutput.split(separator: "\n").filter { $0.hasPrefix("fileopend: ") }
        #expect(lines.count == 1 && lines[0].contains(address) && lines[0].contains("Address already in use"), "\(second.errorOutput)")
    }

    @Test("--check-config validates without privileges and prints every key with its source")
    func checkConfigWithoutPrivileges() throws {
        let (directory, path) = try Self.configurationFile("retention: 42\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        chmod(directory.path, 0o755)
        chmod(path, 0o644)
        let binary = DaemonProcess.binDirectory.appendingPathComponent("fileopend").path
        let check = try DaemonProcess("/usr/bin/setpriv", [
            "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
            binary, "--check-config", "--config", path, "--max-comms", "7",
        ])
        #expect(check.waitForExit() == 0, "\(check.errorOutput)")
        #expect(check.output.hasPrefix("# configuration file \(path): valid\n"))
        #expect(check.output.contains("retention: 42  # file\n"))
        #expect(check.output.contains("max_comms: 7  # flag --max-comms\n"))
        #expect(check.output.contains("rate_window: 10  # default\n"))
    }

    /// The BPF program ids a process holds, from the `prog_id:` line of its descriptors' fdinfo.
    static func programIDs(of pid: Int32) -> Set<Int> {
        let directory = "/proc/\(pid)/fdinfo"
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return Set(descriptors.compactMap { descriptor in
            let info = try? String(contentsOfFile: "\(directory)/\(descriptor)", encoding: .utf8)
            return info?.split(separator: "\n").first { $0.hasPrefix("prog_id:") }
                .flatMap { Int($0.dropFirst("prog_id:".count).trimmingCharacters(in: .whitespaces)) }
        })
    }

    /// The opens series of `pid` as scraped now, to show what changed when a count is not as expected.
    static func seriesOf(_ pid: Int32, _ client: MetricsClient) throws -> [String] {
        try client.scrape().split(separator: "\n").filter { $0.contains("pid=\"\(pid)\"") }.map(String.init)
    }

    @Test("SIGHUP: live settings change, counts and BPF programs stay; restart-only changes are named; a bad file changes nothing")
    func reload() throws {
        let (directory, path) = try Self.configurationFile("retention: 300\nlog_level: info\nring_buffer_size: 4194304\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (daemon, client) = try MetricsEndpointTests.startDaemon(["--config", path])
        defer { daemon.stop() }
        let programs = Self.programIDs(of: daemon.pid)
        #expect(programs.count >= 3, "the daemon holds no BPF programs: \(programs)")

        let comm = MetricsEndpointTests.uniqueComm("hup")
        let opener = MetricsEndpointTests.runOpener(comm: comm, path: directory.appendingPathComponent("absent").path, count: 23)
        let series = #"fileopen_process_opens_total{pid="\#(opener)",comm="\#(comm)"}"#
        #expect(try TestEnvironment.waitUntil { try client.value(series) == 23 })

        // Live: the level and the retention; restart-only: the ring size.
        try Data("retention: 60\nlog_level: debug\nring_buffer_size: 8388608\n".utf8).write(to: URL(fileURLWithPath: path))
        daemon.signal(SIGHUP)
        // Two lines, the restart-only one after the other: wait for both, not the first alone.
        let restartOnly = "configuration changes that need a restart to take effect, not applied: ring_buffer_size"
        let reloaded = TestEnvironment.waitUntil {
            daemon.errorOutput.contains("changed retention 300 -> 60, log_level info -> debug")
                && daemon.errorOutput.contains(restartOnly)
        }
        #expect(reloaded, "\(daemon.errorOutput)")
        #expect(Self.programIDs(of: daemon.pid) == programs, "the probe was reloaded")
        #expect(try client.value(series) == 23, "\((try? Self.seriesOf(opener, client)) ?? [])")
        #expect(try client.value("fileopen_ring_buffer_size_bytes") == Double(4 << 20))

        // A bad file: refused, logged, and the daemon serves on with the same settings.
        try Data("retention: 10\nlog_levle: info\n".utf8).write(to: URL(fileURLWithPath: path))
        daemon.signal(SIGHUP)
        let refused = TestEnvironment.waitUntil {
            daemon.errorOutput.contains("configuration reload refused, keeping the running configuration: unknown key 'log_levle'")
        }
        #expect(refused, "\(daemon.errorOutput)")
        #expect(daemon.status == nil, "the daemon exited on a bad reload")
        #expect(try client.value(series) == 23, "\((try? Self.seriesOf(opener, client)) ?? [])")
        #expect(Self.programIDs(of: daemon.pid) == programs)
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
    }
}
