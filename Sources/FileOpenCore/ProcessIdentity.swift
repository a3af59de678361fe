/// A process as the kernel saw it: a pid is reused, (pid, start time) is not.
public struct ProcessIdentity: Hashable, Sendable, CustomStringConvertible {
    /// The process id (the kernel's tgid).
    public var pid: Int32
    /// When the process started, in nanoseconds since boot (CLOCK_BOOTTIME).
    public var startTime: UInt64

    public init(pid: Int32, startTime: UInt64) {
        self.pid = pid
        self.startTime = startTime
    }

    public var description: String { "\(pid)@\(startTime)" }
}
