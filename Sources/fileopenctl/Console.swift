import FileOpenCore
import FileOpenCtlKit
#if canImport(Glibc)
import Glibc
#endif

/// Standard output through the standard library's `print` (stdio's buffered `stdout`, flushed
/// with `fflush(3)` after each batch or redraw) and standard error with `write(2)`, unbuffered.
enum Console {
    /// Writes `lines`, each followed by a newline, to standard output.
    static func print(_ lines: [String]) {
        for line in lines {
            Swift.print(line)
        }
    }

    /// Writes a result as one compact JSON line, as the daemon encoded it (`QueryJSON`).
    static func printJSON(_ value: some Encodable) throws {
        Swift.print(String(decoding: try QueryJSON.encode(value), as: UTF8.self))
    }

    /// Writes a line from the daemon as it came (it was parsed as JSON first, so it is UTF-8).
    static func printLine(_ bytes: [UInt8]) {
        Swift.print(String(decoding: bytes, as: UTF8.self))
    }

    /// Text as it is, no newline added (escape sequences).
    static func write(_ text: String) {
        Swift.print(text, terminator: "")
    }

    /// Hands buffered output to the kernel now (`fflush(NULL)`: stdout is the only buffered stream).
    static func flush() {
        fflush(nil)
    }

    /// `fileopenctl: <message>` on standard error.
    static func error(_ message: String) {
        note("fileopenctl: " + message)
    }

    /// A line on standard error as it is, in one `write(2)`.
    static func note(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                Glibc.write(STDERR_FILENO, $0.baseAddress! + offset, $0.count - offset)
            }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }

    /// After Ctrl-C: ends the line the terminal's `^C` echo left open, so the shell prompt starts
    /// on a line of its own (a shell adds that newline itself only for a process killed by SIGINT).
    static func endInterruptedLine() {
        if isTerminal {
            write("\n")
            flush()
        } else if isatty(STDERR_FILENO) == 1 {
            note("")
        }
    }

    /// Whether standard output is a terminal (`isatty(3)`): only then does `--watch` clear it.
    static var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
}
