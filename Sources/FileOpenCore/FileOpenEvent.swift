/// One open attempt, successful or not, as the kernel program reported it.
public struct FileOpenEvent: Sendable, Equatable {
    /// When the open returned, in nanoseconds since boot (CLOCK_BOOTTIME).
    public var timestamp: UInt64
    /// The process (tgid and start time).
    public var process: ProcessIdentity
    /// The thread that called open; equals `process.pid` only for the main thread.
    public var tid: Int32
    public var uid: UInt32
    /// The cgroup v2 id of the caller (`bpf_get_current_cgroup_id`).
    public var cgroupID: UInt64
    public var syscall: OpenSyscall
    public var flags: OpenFlags
    public var mode: UInt32
    /// The file descriptor, or `-errno` for a failed open.
    public var result: Int64
    /// The calling thread's command name (at most 15 bytes; invalid UTF-8 repaired).
    public var comm: String
    /// The unit of its cgroup (`ServiceUnit.unit`), where the daemon knew it when the record was
    /// decoded; for `tail --unit` (not part of the event line).
    public var unit: String?
    /// The path as passed, relative paths unresolved (invalid UTF-8 repaired); `resolvedPath` has
    /// the absolute one.
    public var path: String
    /// The path was longer than the program's maximum and is cut there.
    public var pathTruncated: Bool
    /// The path could not be read from the caller's memory (`path` is empty).
    public var pathUnreadable: Bool
    /// The absolute path as the kernel resolved it, as the process's root sees it: the opened
    /// file's (`.file`), or for a failed open the directory's joined with `path` (`.lexical`,
    /// not verified); empty when `.unresolved`.
    public var resolvedPath: String
    /// How `resolvedPath` was found.
    public var resolution: PathResolution
    /// `resolvedPath` lost its leading components (too long, or deeper than the walk goes).
    public var resolvedTruncated: Bool
    /// The walk ended outside the process's root (a pseudo file system, a detached mount):
    /// `resolvedPath` is relative to where it ended.
    public var resolvedUnreachable: Bool

    public init(
        timestamp: UInt64, process: ProcessIdentity, tid: Int32, uid: UInt32, cgroupID: UInt64,
        syscall: OpenSyscall, flags: OpenFlags, mode: UInt32, result: Int64, comm: String, path: String,
        pathTruncated: Bool = false, pathUnreadable: Bool = false, resolvedPath: String = "",
        resolution: PathResolution = .unresolved, resolvedTruncated: Bool = false, resolvedUnreachable: Bool = false
    ) {
        self.timestamp = timestamp
        self.process = process
        self.tid = tid
        self.uid = uid
        self.cgroupID = cgroupID
        self.syscall = syscall
        self.flags = flags
        self.mode = mode
        self.result = result
        self.comm = comm
        self.path = path
        self.pathTruncated = pathTruncated
        self.pathUnreadable = pathUnreadable
        self.resolvedPath = resolvedPath
        self.resolution = resolution
        self.resolvedTruncated = resolvedTruncated
        self.resolvedUnreachable = resolvedUnreachable
    }

    /// The file descriptor, or nil for a failed open.
    public var fileDescriptor: Int64? { result >= 0 ? result : nil }
    /// The errno of a failed open, or nil.
    public var errno: Int32? { result < 0 ? Int32(clamping: -result) : nil }
}

/// The last thread of a process exited.
public struct ProcessExitEvent: Sendable, Equatable {
    /// In nanoseconds since boot (CLOCK_BOOTTIME).
    public var timestamp: UInt64
    public var process: ProcessIdentity
    public var comm: String
    /// The kernel's exit status word (`task->exit_code`: code << 8, or the signal number).
    public var exitCode: Int64
    /// The unit of the cgroup it exited in, as for an open's (`FileOpenEvent.unit`).
    public var unit: String?

    public init(timestamp: UInt64, process: ProcessIdentity, comm: String, exitCode: Int64) {
        self.timestamp = timestamp
        self.process = process
        self.comm = comm
        self.exitCode = exitCode
    }
}

/// A record from the kernel program.
public enum ProbeRecord: Sendable, Equatable {
    case open(FileOpenEvent)
    case exit(ProcessExitEvent)
}
