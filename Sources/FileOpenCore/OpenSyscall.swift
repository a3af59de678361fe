/// The system call that opened (or tried to open) a file.
public enum OpenSyscall: UInt16, Sendable, CaseIterable, CustomStringConvertible {
    /// The attach mode could not tell (kprobe/fentry on kernels without `bpf_task_pt_regs`).
    case unknown = 0
    case open = 1
    case openat = 2
    case openat2 = 3
    case creat = 4

    public var description: String {
        switch self {
        case .unknown: "unknown"
        case .open: "open"
        case .openat: "openat"
        case .openat2: "openat2"
        case .creat: "creat"
        }
    }
}
