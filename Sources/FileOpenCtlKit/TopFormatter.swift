public import FileOpenCore

/// `fileopenctl top`: one row per process, `PID COMM OPENS ERRORS OPENS/S ERRORS/S EXITED`.
public enum TopFormatter {
    /// The table for a `top` result (the header alone if no process matched).
    public static func lines(_ top: TopReport) -> [String] {
        var table = TextTable([
            .number("PID"), .text("COMM"), .number("OPENS"), .number("ERRORS"),
            .number("OPENS/S"), .number("ERRORS/S"), .text("EXITED"),
        ])
        for process in top.processes {
            table.append([
                String(process.pid),
                TerminalText.escaped(process.comm),
                String(process.opens),
                String(process.errors),
                NumberFormat.decimal(process.opensPerSecond, places: 1),
                NumberFormat.decimal(process.errorsPerSecond, places: 1),
                process.exited ? "yes" : "no",
            ])
        }
        return table.lines()
    }

    /// What the table shows, for the title line of `--watch`: `by opens, rates over 10s windows`.
    public static func caption(_ top: TopReport) -> String {
        "by \(top.by.rawValue), rates over \(NumberFormat.seconds(top.windowSeconds))s windows"
    }
}
