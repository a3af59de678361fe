import BPF
import FileOpenCore
import FileOpenProbe
import FileOpenTestSupport
import Foundation
import Testing

@Suite(
    "Attach modes on this kernel",
    .serialized,
    .enabled(if: TestEnvironment.canRunKernelTests, Comment(rawValue: TestEnvironment.kernelTestsSkipReason))
)
struct AttachModeTests {
    @Test("The kprobe programs pass the kernel verifier (loaded, not attached)")
    func kprobeProgramsVerify() throws {
        TestEnvironment.ensureTracefs()
        let object = try FileOpenProgram.load(mode: .kprobe, settings: ProbeHarness.settings(mode: .kprobe))
        defer { object.close() }
        #expect(try object.program(named: "kprobe_do_sys_openat2").fileDescriptor >= 0)
        #expect(try object.program(named: "kretprobe_do_sys_openat2").fileDescriptor >= 0)
        #expect(try object.program(named: "tp_enter_openat").autoload == false, "only the kprobe mode's programs load")
    }

    @Test("The tracepoint programs pass the verifier and attach")
    func tracepointAttaches() throws {
        let harness = try ProbeHarness(settings: ProbeHarness.settings(mode: .tracepoint))
        defer { harness.close() }
        #expect(harness.probe.mode == .tracepoint)
        #expect(harness.probe.refusals.isEmpty)
        let ids = try harness.probe.programInfo()
        #expect(ids["tp_exit_openat"].map { $0.id > 0 } == true)
        #expect(ids["handle_process_exit"] != nil)
        #expect(ids["handle_cgroup_mkdir"] != nil && ids["handle_cgroup_rmdir"] != nil, "every mode names the cgroups made")
    }

    @Test("auto takes the first mode that works and logs why each earlier one was refused")
    func autoExplainsFallbacks() throws {
        let harness = try ProbeHarness()
        defer { harness.close() }
        let probe = harness.probe
        let earlier = Array(AttachMode.preference.prefix { $0 != probe.mode })
        #expect(probe.refusals.map(\.mode) == earlier)
        let infos = harness.logs.messages.filter { $0.level == .info }.map(\.message)
        for refusal in probe.refusals {
            #expect(infos.contains { $0.hasPrefix("\(refusal.mode) refused at \(refusal.stage.rawValue): ") && $0.contains("; trying ") },
                    "logged: \(refusal)")
        }
        // libbpf's own lines about the modes auto gave up on are detail of an expected outcome.
        let libbpf = harness.logs.messages.filter { $0.message.hasPrefix("libbpf: ") }
        #expect(libbpf.allSatisfy { $0.level == .debug }, "\(libbpf)")
        #expect(!harness.logs.messages.contains { $0.level >= .warning }, "\(harness.logs.messages)")
        #expect(harness.logs.messages.contains { $0.level == .info && $0.message == "attached in \(probe.mode) mode" })
        if !FileManager.default.fileExists(atPath: "/sys/bus/event_source/devices/kprobe") {
            // This development kernel: no kprobes at all, so auto cannot end in kprobe mode.
            #expect(probe.mode != .kprobe)
            let kprobe = try #require(probe.refusals.first { $0.mode == .kprobe })
            #expect(kprobe.stage == .attach, "the kprobe programs loaded (verifier passed) but could not attach")
            #expect(kprobe.explanation.contains("no kprobes"))
        }
    }

    @Test("Asking for a mode the kernel lacks fails with every refusal named")
    func unavailableModeFails() throws {
        TestEnvironment.ensureTracefs()
        var settings = ProbeHarness.settings(mode: .kprobe)
        settings.hookFunction = "fileopend_no_such_function"
        let (logger, _) = RecordingLogHandler.logger()
        #expect {
            _ = try FileOpenProgram.attach(settings: settings, logger: logger)
        } throws: { error in
            guard case ProbeError.noAttachModeWorked(let refusals) = error else { return false }
            return refusals.map(\.mode) == [.kprobe] && refusals[0].stage == .attach
                && "\(error)".hasPrefix("no attach mode worked: kprobe refused at attach: ")
        }
    }

    @Test("A ring buffer size that is not a power of two is refused before loading")
    func invalidRingSize() throws {
        var settings = ProbeHarness.settings()
        settings.ringBufferBytes = 5000
        let (logger, _) = RecordingLogHandler.logger()
        #expect {
            _ = try FileOpenProgram.attach(settings: settings, logger: logger)
        } throws: { error in
            "\(error)" == "ring buffer size 5000 must be a power of two of at least 4096 bytes"
        }
    }
}
