public import FileOpenCore

/// `fileopenctl tail`: `fileopend --print`'s columns (`EventLineFormatter`) without FLAGS.
public enum TailFormatter {
    /// `PID     TID     COMM              FD  ERR PATH`.
    public static let header = EventLineFormatter.textHeader(flags: false)

    /// The line for an open, as `fileopend --print` shows it but for FLAGS; nil for an exit
    /// (opensnoop shows none).
    public static func line(_ record: ProbeRecord) -> String? {
        EventLineFormatter.textLine(record, flags: false)
    }

    /// The standard-error line for `{"dropped":N}`.
    public static func droppedLine(_ count: UInt64) -> String {
        "# dropped \(count) events (reader too slow)"
    }
}
