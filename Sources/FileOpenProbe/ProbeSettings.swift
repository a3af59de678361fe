#if canImport(Glibc)
import Glibc
#endif
public import FileOpenCore

/// Load-time settings of the file-open probe.
public struct ProbeSettings: Sendable {
    /// Which hook to use; `auto` tries fentry, kprobe, tracepoint in turn.
    public var mode: AttachMode = .auto
    /// A record per open, or counts kept in the kernel; `FileOpenProgram.setDetailLevel(_:)`
    /// changes it while attached.
    public var detailLevel: DetailLevel = .events
    /// Which opens the program reports at all (the `filters` setting); `FileOpenProgram.setFilters(_:)`
    /// changes them while attached.
    public var filters = OpenFilters()
    /// Whether the tracepoint mode reads an open's arguments from the task's saved registers at
    /// exit (one program per open) rather than parking them at entry (two, and the pending map).
    /// nil: whenever the kernel lets tracepoint programs call `bpf_task_pt_regs()`.
    public var argumentsAtExit: Bool?
    /// Ring buffer size in bytes: a power of two, at least one page.
    public var ringBufferBytes = 4 << 20
    /// The program forces a consumer wakeup once this many bytes are pending (nil: a quarter of
    /// the ring); below it records are submitted without a wakeup and the drain timer collects them.
    public var wakeupBytes: Int?
    /// How often the consumer drains the ring without a wakeup: the worst-case delivery latency.
    public var drainInterval: Duration = .milliseconds(10)
    /// Opens in flight (between enter and exit) the kprobe mode, and the tracepoint mode when it
    /// parks arguments, can track.
    public var pendingOpensCapacity = 16384
    /// Entries of the missed map, where the kernel counts the opens it has no record of (at the
    /// counts level, every open): one per process and result (success, or an errno) until the
    /// process's exit has been counted. Allocated on use: the capacity is a bound.
    public var missedMapCapacity = 65536
    /// Entries of the missed-comms map, where opens are counted by comm when the missed map is full.
    public var missedCommMapCapacity = 20000
    /// A process whose opens are not traced: the daemon itself, so its own reads don't feed back.
    public var excludedProcess: Int32 = getpid()
    /// The kernel function the fentry and kprobe modes hook (the `hook_function` setting). The
    /// programs read do_sys_openat2's arguments, so another function must take the same ones;
    /// one the kernel lacks makes both modes refuse (auto then falls back to tracepoint).
    public var hookFunction = AttachMode.defaultHookFunction
    /// Where tracefs is mounted.
    public var tracefsPath = "/sys/kernel/tracing"

    public init(mode: AttachMode = .auto) {
        self.mode = mode
    }

    /// Sizes the missed maps for an aggregator tracking up to `maxProcesses` processes and
    /// `maxComms` comms: room for every one of them to be counted at once, with an entry per
    /// result, and for as many more that exited in the last two maintenance ticks.
    public mutating func sizeMissedMaps(maxProcesses: Int, maxComms: Int) {
        missedMapCapacity = min(1 << 22, max(65536, 4 * maxProcesses))
        missedCommMapCapacity = min(1 << 20, max(4096, 2 * maxComms))
    }

    /// The wakeup threshold actually used.
    public var effectiveWakeupBytes: Int { wakeupBytes ?? ringBufferBytes / 4 }
}
