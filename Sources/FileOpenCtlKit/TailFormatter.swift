public import FileOpenCore

/// `fileopenctl tail`: opensnoop's columns with the widths `fileopend --print` uses, from the
/// daemon's JSON event lines. Names are escaped so one event stays one line.
public enum TailFormatter {
    /// `PID     TID     COMM              FD  ERR PATH`.
    public static let header = TerminalText.padded("PID", to: 7) + " " + TerminalText.padded("TID", to: 7) + " "
        + TerminalText.padded("COMM", to: 16) + " " + TerminalText.padded("FD", to: 3, alignRight: true) + " "
        + TerminalText.padded("ERR", to: 4, alignRight: true) + " PATH"

    /// The line for an open event: FD -1 and ERR the errno for a failed open, path markers as in
    /// `fileopend --print`. Nil for exit events (opensnoop shows none) and unknown kinds.
    public static func line(_ event: JSONValue) -> String? {
        guard event["event"]?.stringValue == "open" else { return nil }
        var path = TerminalText.escaped(event["path"]?.stringValue ?? "")
        if event["path_truncated"]?.boolValue == true { path += " [truncated]" }
        if event["path_unreadable"]?.boolValue == true { path = "[unreadable]" }
        let fd = event["fd"]?.numberText ?? "-1"
        let errno = event["errno"]?.numberText ?? "0"
        return TerminalText.padded(event["pid"]?.numberText ?? "-", to: 7) + " "
            + TerminalText.padded(event["tid"]?.numberText ?? "-", to: 7) + " "
            + TerminalText.padded(TerminalText.escaped(event["comm"]?.stringValue ?? ""), to: 16) + " "
            + TerminalText.padded(fd, to: 3, alignRight: true) + " "
            + TerminalText.padded(errno, to: 4, alignRight: true) + " " + path
    }

    /// The standard-error line for `{"dropped":N}`.
    public static func droppedLine(_ count: UInt64) -> String {
        "# dropped \(count) events (reader too slow)"
    }
}
