#if canImport(Glibc)
import Glibc
#endif
public import FileOpenCore

/// Whether a process the kernel program identified (tgid and group leader's start time) still
/// runs: the backstop for an exit whose record and kernel mark were both lost.
public enum ProcessLiveness {
    /// False only when the process has certainly exited: no such pid (`kill(pid, 0)` fails with
    /// ESRCH), or `/proc/PID/stat` names another start time (the pid was reused). A process that
    /// `/proc` hides (hidepid, the unit's `ProtectProc=invisible`) but that exists counts as
    /// running: its start time cannot be checked.
    public static func isRunning(_ process: ProcessIdentity) -> Bool {
        if let ticks = startTicks(of: process.pid) {
            return ticks == process.startTime / nanosecondsPerTick
        }
        return kill(process.pid, 0) == 0 || errno != ESRCH
    }

    /// `/proc/PID/stat` counts start times in clock ticks (USER_HZ) since boot: the same clock as
    /// the program's `start_boottime`, divided down.
    private static let nanosecondsPerTick = UInt64(1_000_000_000 / max(1, sysconf(Int32(_SC_CLK_TCK))))

    /// Field 22 (starttime) of `/proc/PID/stat`, or nil when it cannot be read.
    private static func startTicks(of pid: Int32) -> UInt64? {
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        // The comm (field 2) may hold spaces and parentheses: the fields after it follow the last ')'.
        let text = buffer[..<count]
        guard let end = text.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = text[(end + 1)...].split(separator: UInt8(ascii: " "))
        // After ')': field 3 (state) is fields[0], so field 22 is fields[19].
        guard fields.count > 19 else { return nil }
        return UInt64(String(decoding: fields[19], as: UTF8.self))
    }
}
