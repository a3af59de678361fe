#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Checks that make a start-up failure one clear line instead of a libbpf error cascade.
public enum ProbePreflight {
    /// Where the kernel exposes its BTF.
    public static let kernelBTFPath = "/sys/kernel/btf/vmlinux"

    /// Throws the first unmet requirement: capabilities, kernel BTF, tracefs.
    public static func check(_ settings: ProbeSettings) throws(ProbeError) {
        let missing = missingCapabilities()
        guard missing.isEmpty else { throw ProbeError.missingCapabilities(missing) }
        guard FileManager.default.fileExists(atPath: kernelBTFPath) else {
            throw ProbeError.kernelBTFMissing(path: kernelBTFPath)
        }
        guard FileManager.default.fileExists(atPath: settings.tracefsPath + "/events") else {
            throw ProbeError.tracefsMissing(path: settings.tracefsPath)
        }
    }

    /// The capabilities this process lacks for loading and attaching: CAP_BPF and CAP_PERFMON
    /// (Linux ≥ 5.8), unless it has CAP_SYS_ADMIN, which covers both. Read from /proc/self/status.
    public static func missingCapabilities() -> [String] {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapEff:") }),
              let effective = UInt64(line.dropFirst("CapEff:".count).trimmingSpaces, radix: 16)
        else { return ["CAP_BPF", "CAP_PERFMON"] }
        let sysAdmin: UInt64 = 1 << 21, perfmon: UInt64 = 1 << 38, bpf: UInt64 = 1 << 39
        if effective & sysAdmin != 0 { return [] }
        return [(bpf, "CAP_BPF"), (perfmon, "CAP_PERFMON")].filter { effective & $0.0 == 0 }.map(\.1)
    }

    /// Whether the kernel can create kprobes at all: the kprobe PMU (perf_event_open) or, on older
    /// kernels, tracefs's kprobe_events file.
    static func kernelHasKprobes(tracefs: String) -> Bool {
        FileManager.default.fileExists(atPath: "/sys/bus/event_source/devices/kprobe")
            || FileManager.default.fileExists(atPath: "\(tracefs)/kprobe_events")
    }

    /// Whether ftrace refuses this process its function list (`available_filter_functions` opens
    /// with EPERM, as under kernel lockdown), which is why fentry/fexit programs fail to load with
    /// EPERM even as root: BPF trampolines attach through ftrace.
    static func ftraceLockedDown(tracefs: String) -> Bool {
        let descriptor = open("\(tracefs)/available_filter_functions", O_RDONLY | O_CLOEXEC)
        if descriptor >= 0 {
            close(descriptor)
            return false
        }
        return errno == EPERM
    }

    /// Whether the syscall tracepoint `sys_enter_<name>` exists (open and creat do not on arm64).
    static func hasSyscallTracepoint(_ name: String, tracefs: String) -> Bool {
        FileManager.default.fileExists(atPath: "\(tracefs)/events/syscalls/sys_enter_\(name)")
    }
}
