internal import CLibbpf

/// What the running kernel lets BPF programs do, asked of the kernel itself: libbpf loads a
/// tiny program and reports whether the verifier accepted it. Needs the privileges loading needs.
public enum BPFKernelFeatures {
    /// A program type whose abilities can be probed.
    public enum ProgramType: Sendable {
        case kprobe, tracepoint

        var libbpfType: bpf_prog_type {
            switch self {
            case .kprobe: BPF_PROG_TYPE_KPROBE
            case .tracepoint: BPF_PROG_TYPE_TRACEPOINT
            }
        }
    }

    /// A BPF helper function, by its number in the kernel's `enum bpf_func_id`.
    public struct Helper: Sendable, Equatable {
        public let id: UInt32
        public let name: String

        public init(id: UInt32, name: String) {
            self.id = id
            self.name = name
        }

        /// `bpf_get_current_task_btf()` (Linux 5.11).
        public static let getCurrentTaskBTF = Helper(id: 158, name: "bpf_get_current_task_btf")
        /// `bpf_task_pt_regs()` (Linux 5.15): a task's saved user registers.
        public static let taskPtRegs = Helper(id: 175, name: "bpf_task_pt_regs")
    }

    /// Whether the kernel has the tracepoint `name` for raw and BTF tracepoint programs: its
    /// `btf_trace_<name>` type in the kernel's BTF (`libbpf_find_vmlinux_btf_id`). False without
    /// kernel BTF.
    public static func hasRawTracepoint(_ name: String) -> Bool {
        libbpf_find_vmlinux_btf_id(name, BPF_TRACE_RAW_TP) > 0
    }

    /// Whether the kernel function `name` is in the kernel's BTF, as fentry/fexit programs need
    /// (`libbpf_find_vmlinux_btf_id`): absent when inlined, renamed or missing. False without BTF.
    public static func hasTraceableFunction(_ name: String) -> Bool {
        libbpf_find_vmlinux_btf_id(name, BPF_TRACE_FEXIT) > 0
    }

    /// Whether programs of `type` may call `helper` (`libbpf_probe_bpf_helper`); false also when
    /// the probe itself fails (no privileges, no BPF).
    public static func supports(_ helper: Helper, in type: ProgramType) -> Bool {
        libbpf_probe_bpf_helper(type.libbpfType, bpf_func_id(rawValue: helper.id), nil) == 1
    }
}
