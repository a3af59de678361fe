/// How the kernel program hooks file opens.
public enum AttachMode: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Try `fentry`, then `kprobe`, then `tracepoint`, and keep the first that loads and attaches.
    case auto
    /// fexit on `do_sys_openat2` (BPF trampoline): cheapest, needs BTF and ftrace.
    case fentry
    /// kprobe + kretprobe on `do_sys_openat2`: needs CONFIG_KPROBES.
    case kprobe
    /// The `syscalls:sys_enter_*`/`sys_exit_*` tracepoints of open, openat, openat2 and creat.
    case tracepoint

    /// The order `auto` tries.
    public static let preference: [AttachMode] = [.fentry, .kprobe, .tracepoint]

    /// The kernel function the fentry and kprobe modes hook unless configured otherwise: every
    /// open, openat, openat2 and creat passes through it.
    public static let defaultHookFunction = "do_sys_openat2"

    public var description: String { rawValue }
}
