/// The call that opened (or tried to open) a file; mirrors `enum fileopend_syscall` in
/// bpf/fileopend.h.
public enum OpenSyscall: UInt16, Sendable, CaseIterable, CustomStringConvertible {
    /// The attach mode could not tell (kprobe/fentry on kernels without `bpf_task_pt_regs`).
    case unknown = 0
    case open = 1
    case openat = 2
    case openat2 = 3
    case creat = 4
    /// `IORING_OP_OPENAT` submitted to an io_uring ring: no system call opened it.
    case ioUringOpenat = 5
    /// `IORING_OP_OPENAT2` submitted to an io_uring ring.
    case ioUringOpenat2 = 6
    /// `open_by_handle_at(2)`: it names no file, so its event has no path.
    case openByHandleAt = 7

    public var description: String {
        switch self {
        case .unknown: "unknown"
        case .open: "open"
        case .openat: "openat"
        case .openat2: "openat2"
        case .creat: "creat"
        case .ioUringOpenat: "io_uring_openat"
        case .ioUringOpenat2: "io_uring_openat2"
        case .openByHandleAt: "open_by_handle_at"
        }
    }

    /// The way of opening it belongs to.
    public var api: OpenAPI {
        switch self {
        case .unknown, .open, .openat, .openat2, .creat: .syscall
        case .ioUringOpenat, .ioUringOpenat2: .ioUring
        case .openByHandleAt: .openByHandleAt
        }
    }
}
