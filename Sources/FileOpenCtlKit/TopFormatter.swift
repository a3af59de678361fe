public import FileOpenCore

/// `fileopenctl top`: one row per process, `PID COMM OPENS ERRORS OPENS/S ERRORS/S EXITED`; or
/// per command name (`COMM OPENS ERRORS`) or unit (`UNIT OPENS ERRORS CONTAINER`).
public enum TopFormatter {
    /// The table for a `top` result (the header alone if no process matched).
    public static func lines(_ top: TopReport) -> [String] {
        if let group = top.group, group != .process { return totalsLines(top.totals ?? [], group: group) }
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

    /// The table of ranked command names or units.
    private static func totalsLines(_ totals: [TopReport.Total], group: TopGroup) -> [String] {
        let unit = group == .unit
        var table = TextTable(
            [.text(unit ? "UNIT" : "COMM"), .number("OPENS"), .number("ERRORS")] + (unit ? [.text("CONTAINER")] : []))
        for total in totals {
            table.append(
                [TerminalText.escaped(total.name), String(total.opens), String(total.errors)]
                    + (unit ? [TerminalText.escaped(total.containerID.map { String($0.prefix(12)) } ?? "-")] : []))
        }
        return table.lines()
    }

    /// What the table shows, for the title line of `--watch`: `by opens, rates over 10s windows`
    /// (`units by opens` for a group).
    public static func caption(_ top: TopReport) -> String {
        if let group = top.group, group != .process { return "\(group.rawValue)s by \(top.by.rawValue)" }
        return "by \(top.by.rawValue), rates over \(NumberFormat.seconds(top.windowSeconds))s windows"
    }
}
