#if canImport(Glibc)
import Glibc
#endif
public import FileOpenCore

/// Load-time settings of the file-open probe.
public struct ProbeSettings: Sendable {
    /// Which hook to use; `auto` tries fentry, kprobe, tracepoint in turn.
    public var mode: AttachMode = .auto
    /// Ring buffer size in bytes: a power of two, at least one page.
    public var ringBufferBytes = 4 << 20
    /// The program forces a consumer wakeup once this many bytes are pending (nil: a quarter of
    /// the ring); below it records are submitted without a wakeup and the drain timer collects them.
    public var wakeupBytes: Int?
    /// How often the consumer drains the ring without a wakeup: the worst-case delivery latency.
    public var drainInterval: Duration = .milliseconds(10)
    /// Opens in flight (between enter and exit) the kprobe and tracepoint modes can track.
    public var pendingOpensCapacity = 16384
    /// Processes with lost records the missed map can hold until user space folds them.
    public var missedProcessesCapacity = 16384
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

    /// The wakeup threshold actually used.
    public var effectiveWakeupBytes: Int { wakeupBytes ?? ringBufferBytes / 4 }
}
