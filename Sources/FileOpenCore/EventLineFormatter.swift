/// Renders records as one line each: opensnoop-style columns for people, JSON for programs.
public enum EventLineFormatter {
    /// The column header of `textLine`.
    public static let textHeader = padded("PID", 7) + " " + padded("TID", 7) + " " + padded("COMM", 16) + " "
        + padded("FD", 3, right: true) + " " + padded("ERR", 4, right: true) + " " + padded("FLAGS", 8) + " PATH"

    /// `PID TID COMM FD ERR FLAGS PATH`: FD is -1 and ERR the errno for a failed open, FLAGS octal.
    /// Control characters in comm and path are escaped so one record stays one line.
    /// Exit records have no text line (like opensnoop).
    public static func textLine(_ record: ProbeRecord) -> String? {
        guard case .open(let event) = record else { return nil }
        var path = escapedForTerminal(event.path)
        if event.pathTruncated { path += " [truncated]" }
        if event.pathUnreadable { path = "[unreadable]" }
        return padded(String(event.process.pid), 7) + " " + padded(String(event.tid), 7) + " "
            + padded(escapedForTerminal(event.comm), 16) + " "
            + padded(String(event.fileDescriptor ?? -1), 3, right: true) + " "
            + padded(String(event.errno ?? 0), 4, right: true) + " "
            + padded(String(event.flags.rawValue, radix: 8), 8, zeros: true) + " " + path
    }

    /// One JSON object: `{"event":"open",...}` or `{"event":"exit",...}`.
    public static func jsonLine(_ record: ProbeRecord) -> String {
        switch record {
        case .open(let event):
            let fd = event.fileDescriptor.map(String.init) ?? "null"
            let errno = event.errno.map(String.init) ?? "null"
            let error = event.errno.map { "\"\(ErrnoName.of($0))\"" } ?? "null"
            return "{\"event\":\"open\",\"time_ns\":\(event.timestamp),\"pid\":\(event.process.pid),"
                + "\"tid\":\(event.tid),\"uid\":\(event.uid),\"comm\":\(jsonString(event.comm)),"
                + "\"syscall\":\"\(event.syscall)\",\"flags\":\(event.flags.rawValue),\"mode\":\(event.mode),"
                + "\"fd\":\(fd),\"errno\":\(errno),\"error\":\(error),\"path\":\(jsonString(event.path)),"
                + "\"path_truncated\":\(event.pathTruncated),\"path_unreadable\":\(event.pathUnreadable),"
                + "\"cgroup_id\":\(event.cgroupID),\"process_start_ns\":\(event.process.startTime)}"
        case .exit(let exit):
            return "{\"event\":\"exit\",\"time_ns\":\(exit.timestamp),\"pid\":\(exit.process.pid),"
                + "\"comm\":\(jsonString(exit.comm)),\"exit_code\":\(exit.exitCode),"
                + "\"process_start_ns\":\(exit.process.startTime)}"
        }
    }

    /// A JSON string literal (RFC 8259): quotes, backslashes and control characters escaped.
    public static func jsonString(_ value: String) -> String {
        var out = "\""
        out.reserveCapacity(value.utf8.count + 2)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f:
                out += "\\u00" + hexByte(UInt8(scalar.value))
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Control characters as `\n`, `\t` or `\xNN`, backslash doubled, the rest unchanged.
    public static func escapedForTerminal(_ value: String) -> String {
        guard value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f || $0 == "\\" }) else {
            return value
        }
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f: out += "\\x" + hexByte(UInt8(scalar.value))
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func hexByte(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
    }

    private static func padded(_ value: String, _ width: Int, right: Bool = false, zeros: Bool = false) -> String {
        let missing = width - value.count
        guard missing > 0 else { return value }
        let fill = String(repeating: zeros ? "0" : " ", count: missing)
        return right || zeros ? fill + value : value + fill
    }
}
