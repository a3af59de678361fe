import FileOpenTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The first minute as an operator reads it: with `--mode auto`, one info line per refused mode
/// with its reason and one saying which mode runs, libbpf's own lines for the refused modes only at
/// debug; an explicit `--mode` that fails keeps libbpf's detail at its own level. Which modes are
/// refused is derived from the machine (`AutoAttachMode`), not assumed.
@Suite(
    "fileopend's start-up log",
    .serialized,
    .enabled(if: TestEnvironment.canRunKernelTests, Comment(rawValue: TestEnvironment.kernelTestsSkipReason))
)
struct StartupLogTests {
    private static let modes = ["fentry", "kprobe", "tracepoint"]

    /// The modes auto tries and gives up on here, in its order.
    private static var refusedModes: [String] {
        Array(modes.prefix { $0 != AutoAttachMode.expected })
    }

    /// The daemon's log lines from start to "serving metrics on" (or its exit), timestamps removed.
    private static func startupLines(_ arguments: [String]) throws -> (lines: [String], status: Int32?) {
        let daemon = try DaemonProcess("fileopend", arguments + DaemonProcess.isolatedArguments())
        defer { daemon.stop() }
        _ = TestEnvironment.waitUntil(timeout: .seconds(20)) {
            daemon.status != nil || daemon.errorOutput.contains("serving metrics on")
        }
        let status = daemon.status
        let lines = daemon.errorOutput.split(separator: "\n").map { line in
            // "2026-12-07T15:04:58+0000 info fileopend: ..." → "info fileopend: ..."
            guard line.first?.isNumber == true, let space = line.firstIndex(of: " ") else { return String(line) }
            return String(line[line.index(after: space)...])
        }
        return (lines, status)
    }

    /// The lines about attaching: the probe's own and libbpf's.
    private static func attachLines(_ lines: [String]) -> [String] {
        lines.filter {
            ($0.contains("[FileOpenProbe]") && ($0.contains(" refused at ") || $0.contains(" attached in ")))
                || $0.contains("source=libbpf") || $0.contains("ulimit")
        }
    }

    @Test("auto at info: one line per refused mode with its reason, one for the mode that runs, nothing of libbpf")
    func autoAtInfo() throws {
        TestEnvironment.ensureTracefs()
        let expected = AutoAttachMode.expected
        try #require(Self.modes.contains(expected), "auto's mode: \(expected)")
        let (lines, status) = try Self.startupLines(["--mode", "auto", "--log-level", "info"])
        #expect(status == nil, "\(lines)")
        let attach = Self.attachLines(lines)
        let refused = Self.refusedModes
        try #require(attach.count == refused.count + 1, "\(attach)")
        for (index, mode) in refused.enumerated() {
            let next = Self.modes[index + 1]
            #expect(attach[index].hasPrefix("info fileopend: [FileOpenProbe] \(mode) refused at "), "\(attach[index])")
            #expect(attach[index].hasSuffix("; trying \(next)"), "\(attach[index])")
        }
        #expect(attach.last?.hasPrefix("info fileopend: ") == true && attach.last?.hasSuffix(
            "[FileOpenProbe] attached in \(expected) mode") == true, "\(attach)")
        #expect(!lines.contains { $0.contains("ulimit") || $0.hasPrefix("warning") }, "\(lines)")

        // This development kernel (ftrace locked down, no kprobes): the exact lines, reasons included.
        if refused == ["fentry", "kprobe"], FileManager.default.fileExists(atPath: "/sys/kernel/tracing/events"),
           open("/sys/kernel/tracing/available_filter_functions", O_RDONLY) < 0 && errno == EPERM,
           !FileManager.default.fileExists(atPath: "/sys/bus/event_source/devices/kprobe") {
            #expect(Array(attach.dropLast()) == [
                "info fileopend: [FileOpenProbe] fentry refused at load: ftrace is locked down (reading "
                    + "/sys/kernel/tracing/available_filter_functions is not permitted), and fentry/fexit programs "
                    + "attach through it (bpf_object__load(fileopend) failed: Operation not permitted (errno 1)); "
                    + "trying kprobe",
                "info fileopend: [FileOpenProbe] kprobe refused at attach: the kernel has no kprobes (no kprobe PMU, "
                    + "no kprobe_events in tracefs: CONFIG_KPROBES off) (bpf_program__attach_kprobe("
                    + "kprobe_do_sys_openat2, do_sys_openat2) failed: No such file or directory (errno 2)); "
                    + "trying tracepoint",
            ])
        }
    }

    @Test("auto at debug: libbpf's lines for the refused modes are there, at debug")
    func autoAtDebug() throws {
        TestEnvironment.ensureTracefs()
        try #require(!Self.refusedModes.isEmpty || Self.modes.first == AutoAttachMode.expected)
        let (lines, status) = try Self.startupLines(["--mode", "auto", "--log-level", "debug"])
        #expect(status == nil, "\(lines)")
        let libbpf = lines.filter { $0.contains("source=libbpf") }
        #expect(libbpf.allSatisfy { $0.hasPrefix("debug ") }, "\(libbpf)")
        if Self.refusedModes.first == "fentry" {
            #expect(libbpf.contains { $0.contains("fexit_do_sys_openat2") }, "fentry's load failure: \(libbpf)")
        }
    }

    @Test("An explicit --mode the kernel refuses keeps libbpf's detail at its own level and fails naming the reason")
    func explicitModeKeepsDetail() throws {
        TestEnvironment.ensureTracefs()
        let refused = try #require(Self.refusedModes.first, "every mode attaches here: nothing to refuse")
        let (lines, status) = try Self.startupLines(["--mode", refused, "--log-level", "info"])
        #expect(status == 69, "EX_UNAVAILABLE: \(lines)")
        #expect(lines.contains { $0.hasPrefix("warning fileopend: source=libbpf ") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("warning fileopend: [FileOpenProbe] \(refused) refused at ") }, "\(lines)")
        #expect(lines.last?.hasPrefix("fileopend: no attach mode worked: \(refused) refused at ") == true, "\(lines)")
    }
}
