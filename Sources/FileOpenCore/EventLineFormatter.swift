/// Renders records as one line each: opensnoop-style columns for people (`fileopend --print`,
/// `fileopenctl tail`) and JSON for programs (`--print --json`, the `tail` stream).
///
/// The JSON is `ProbeRecord`'s Codable schema, written here by hand because it is the hot path:
/// every record, for every tail client, in about a tenth of `JSONEncoder`'s time (the
/// `event JSON line` micro-benchmarks). Members come in a fixed order, event first; the tests
/// decode every line it writes with `JSONDecoder` and expect the record it came from.
public enum EventLineFormatter {
    /// The column header of `textLine`: `PID TID COMM FD ERR FLAGS PATH`, or without FLAGS.
    public static func textHeader(flags: Bool = true) -> String {
        TerminalText.padded("PID", to: 7) + " " + TerminalText.padded("TID", to: 7) + " "
            + TerminalText.padded("COMM", to: 16) + " " + TerminalText.padded("FD", to: 3, alignRight: true) + " "
            + TerminalText.padded("ERR", to: 4, alignRight: true) + (flags ? " " + TerminalText.padded("FLAGS", to: 8) : "")
            + " PATH"
    }

    /// `PID TID COMM FD ERR FLAGS PATH`: FD is -1 and ERR the errno for a failed open, FLAGS octal
    /// (left out when `flags` is false). PATH is `pathText`. Comm and paths are made safe by
    /// `TerminalText.escaped`, so one record stays one line. An open through io_uring is marked
    /// ` [io_uring]`. Exit records have no text line (like opensnoop).
    public static func textLine(_ record: ProbeRecord, flags: Bool = true) -> String? {
        guard case .open(let event) = record else { return nil }
        var path = pathText(event)
        if event.syscall.api == .ioUring { path += " [io_uring]" }
        var octalFlags = ""
        if flags {
            let digits = String(event.flags.rawValue, radix: 8)
            octalFlags = " " + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
        }
        return TerminalText.padded(String(event.process.pid), to: 7) + " "
            + TerminalText.padded(String(event.tid), to: 7) + " "
            + TerminalText.padded(TerminalText.escaped(event.comm), to: 16) + " "
            + TerminalText.padded(String(event.fileDescriptor ?? -1), to: 3, alignRight: true) + " "
            + TerminalText.padded(String(event.errno ?? 0), to: 4, alignRight: true) + octalFlags + " " + path
    }

    /// The PATH column: the resolved path, then the path as passed in parentheses when it differs
    /// (`/srv/app/x (passed ./x)`), with a mark for what the reader must know: `[unverified]` for
    /// a failed open's lexical path (where it says more than the path as passed), `[truncated]` on
    /// whichever path was cut, `[unreachable]` for a walk that ended outside the process's root.
    /// Unresolved, or a failed absolute path already normal: the path as passed alone.
    public static func pathText(_ event: FileOpenEvent) -> String {
        var passed = event.pathUnreadable ? "[unreadable]" : TerminalText.escaped(event.path)
        if event.pathTruncated { passed += " [truncated]" }
        // open_by_handle_at names no path.
        if event.syscall.api == .openByHandleAt && passed.isEmpty { passed = "[by handle]" }
        guard event.resolution != .unresolved else { return passed }
        let differs = event.path != event.resolvedPath || event.pathTruncated || event.pathUnreadable
        if !differs && event.resolution == .lexical && !event.resolvedTruncated && !event.resolvedUnreachable {
            return passed
        }
        return resolvedText(
            event.resolvedPath, resolution: event.resolution, truncated: event.resolvedTruncated,
            unreachable: event.resolvedUnreachable, passed: differs ? passed : nil)
    }

    /// `resolved` escaped and marked as `pathText` marks it, then ` (passed …)` with `passed`
    /// (already escaped) unless nil. Also how `fileopenctl proc` shows a top path.
    public static func resolvedText(
        _ resolved: String, resolution: PathResolution, truncated: Bool, unreachable: Bool, passed: String?
    ) -> String {
        var text = (truncated ? "[truncated]..." : "") + TerminalText.escaped(resolved)
        if resolution == .lexical { text += " [unverified]" }
        if unreachable { text += " [unreachable]" }
        if let passed { text += " (passed " + passed + ")" }
        return text
    }

    /// The JSON line of `record`, without its newline.
    public static func jsonLine(_ record: ProbeRecord) -> String {
        var bytes: [UInt8] = []
        appendJSONLine(record, to: &bytes)
        return String(decoding: bytes.dropLast(), as: UTF8.self)
    }

    /// Appends the JSON line of `record` and a newline to `out`:
    /// `{"event":"open","time_ns":…,"pid":…,…}` or `{"event":"exit",…}` (docs/query-protocol.md).
    public static func appendJSONLine(_ record: ProbeRecord, to out: inout [UInt8]) {
        var writer = Writer(out: out)
        out = []  // `writer` holds the only reference, so appending never copies the buffer.
        switch record {
        case .open(let event):
            writer.raw(#"{"event":"open","time_ns":"#)
            writer.decimal(event.timestamp)
            writer.raw(#","pid":"#)
            writer.decimal(event.process.pid)
            writer.raw(#","tid":"#)
            writer.decimal(event.tid)
            writer.raw(#","uid":"#)
            writer.decimal(event.uid)
            writer.raw(#","comm":"#)
            writer.string(event.comm)
            writer.raw(#","syscall":""#)
            writer.raw(event.syscall.description)
            writer.raw(#"","flags":"#)
            writer.decimal(event.flags.rawValue)
            writer.raw(#","mode":"#)
            writer.decimal(event.mode)
            writer.raw(#","fd":"#)
            if let fd = event.fileDescriptor { writer.decimal(fd) } else { writer.raw("null") }
            writer.raw(#","errno":"#)
            if let errno = event.errno {
                writer.decimal(errno)
                writer.raw(#","error":""#)
                writer.raw(ErrnoName.of(errno))
                writer.raw(#"""#)
            } else {
                writer.raw(#"null,"error":null"#)
            }
            writer.raw(#","path":"#)
            writer.string(event.path)
            writer.raw(#","path_truncated":"#)
            writer.raw(event.pathTruncated ? "true" : "false")
            writer.raw(#","path_unreadable":"#)
            writer.raw(event.pathUnreadable ? "true" : "false")
            writer.raw(#","resolved_path":"#)
            if event.resolution == .unresolved { writer.raw("null") } else { writer.string(event.resolvedPath) }
            writer.raw(#","resolution":""#)
            writer.raw(event.resolution.description)
            writer.raw(#"","resolved_truncated":"#)
            writer.raw(event.resolvedTruncated ? "true" : "false")
            writer.raw(#","resolved_unreachable":"#)
            writer.raw(event.resolvedUnreachable ? "true" : "false")
            writer.raw(#","cgroup_id":"#)
            writer.decimal(event.cgroupID)
            writer.raw(#","process_start_ns":"#)
            writer.decimal(event.process.startTime)
        case .exit(let exit):
            writer.raw(#"{"event":"exit","time_ns":"#)
            writer.decimal(exit.timestamp)
            writer.raw(#","pid":"#)
            writer.decimal(exit.process.pid)
            writer.raw(#","comm":"#)
            writer.string(exit.comm)
            writer.raw(#","exit_code":"#)
            writer.decimal(exit.exitCode)
            writer.raw(#","process_start_ns":"#)
            writer.decimal(exit.process.startTime)
        }
        writer.raw("}\n")
        out = writer.out
    }

    /// A JSON string literal (RFC 8259) for `value`: quotes, backslashes and control characters
    /// (DEL included) escaped, everything else as its UTF-8. Also how an error message quotes
    /// what a client sent.
    public static func jsonString(_ value: String) -> String {
        var writer = Writer(out: [])
        writer.string(value)
        return String(decoding: writer.out, as: UTF8.self)
    }

    /// Appends JSON pieces to bytes, numbers in decimal without an intermediate `String`.
    private struct Writer {
        var out: [UInt8]

        mutating func raw(_ text: StaticString) {
            text.withUTF8Buffer { out.append(contentsOf: $0) }
        }

        mutating func raw(_ text: String) {
            out.append(contentsOf: text.utf8)
        }

        mutating func decimal(_ value: some BinaryInteger) {
            if value < 0 {
                out.append(UInt8(ascii: "-"))
                decimal(UInt64(value.magnitude))
            } else {
                decimal(UInt64(value))
            }
        }

        mutating func decimal(_ value: UInt64) {
            if value < 10 {
                out.append(UInt8(ascii: "0") + UInt8(value))
                return
            }
            var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)  // 32 bytes: UInt64.max has 20 digits.
            withUnsafeMutableBytes(of: &digits) { buffer in
                var rest = value
                var start = buffer.count
                while rest > 0 {
                    start -= 1
                    buffer[start] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
                out.append(contentsOf: buffer[start...])
            }
        }

        mutating func string(_ value: String) {
            out.append(UInt8(ascii: "\""))
            for byte in value.utf8 {
                switch byte {
                case UInt8(ascii: "\""): raw(#"\""#)
                case UInt8(ascii: "\\"): raw(#"\\"#)
                case 0x0A: raw(#"\n"#)
                case 0x0D: raw(#"\r"#)
                case 0x09: raw(#"\t"#)
                case 0..<0x20, 0x7F:
                    raw(#"\u00"#)
                    out.append(Self.hexDigits[Int(byte >> 4)])
                    out.append(Self.hexDigits[Int(byte & 0xF)])
                default:
                    out.append(byte)
                }
            }
            out.append(UInt8(ascii: "\""))
        }

        private static let hexDigits = Array("0123456789abcdef".utf8)
    }
}
