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
        #expect(summary.contains(" opens received, 0 dropped (ring_buffer_full 0, pending_map_full 0, missed_map_full 0, missed_comm_map_full 0); "))
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

@Suite("fileopend command line")
struct CommandLineTests {
    @Test("--json without --print is a usage error naming the flag")
    func jsonNeedsPrint() throws {
        let daemon = try DaemonProcess("fileopend", ["--json"])
        #expect(daemon.waitForExit() == 64)
        #expect(daemon.errorOutput.contains("--json only applies with --print"))
    }

    @Test("An unknown attach mode is a usage error listing the valid ones")
    func unknownMode() throws {
        let daemon = try DaemonProcess("fileopend", ["--mode", "uprobe"])
        #expect(daemon.waitForExit() == 64)
        #expect(daemon.errorOutput.contains("auto"))
        #expect(daemon.errorOutput.contains("tracepoint"))
    }

    @Test("A listen address that is not IP:PORT is a usage error naming it", arguments: [
        "localhost:9469", "127.0.0.1", "::1:9469", "127.0.0.1:70000",
    ])
    func badListenAddress(address: String) throws {
        let daemon = try DaemonProcess("fileopend", ["--listen", address])
        #expect(daemon.waitForExit() == 64)
        #expect(daemon.errorOutput.contains("--listen: listen address '\(address)'"), "\(daemon.errorOutput)")
    }
}
