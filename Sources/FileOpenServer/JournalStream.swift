#if canImport(Glibc)
import Glibc
#endif

/// Whether standard error is systemd's stream to the journal: `$JOURNAL_STREAM` holds the
/// `DEVICE:INODE` of that stream, and it is ours only if standard error still is that file (a
/// child of the service whose stderr went to a pipe or a terminal inherits the variable too).
/// This is the check systemd.exec(5) documents for switching to the native journal protocol.
public enum JournalStream {
    /// The device and inode in a `$JOURNAL_STREAM` value (decimal `dev:ino`), nil if malformed.
    public static func parse(_ value: String) -> (device: UInt64, inode: UInt64)? {
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return nil }
        return (device, inode)
    }

    /// Compares `$JOURNAL_STREAM` with `fstat(2)` of `descriptor` (2, standard error, by default).
    public static func isConnected(descriptor: Int32 = 2) -> Bool {
        guard let raw = getenv("JOURNAL_STREAM"), let stream = parse(String(cString: raw)) else { return false }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return false }
        return UInt64(status.st_dev) == stream.device && UInt64(status.st_ino) == stream.inode
    }
}
