public import FileOpenCore

/// `fileopenctl top`: one row per process, `PID COMM OPENS ERRORS OPENS/S ERRORS/S EXITED`.
public enum TopFormatter {
    /// The table for a `top` result object (the header alone if no process matched).
    public static func lines(_ result: JSONValue) -> [String] {
        var table = TextTable([
            .number("PID"), .text("COMM"), .number("OPENS"), .number("ERRORS"),
            .number("OPENS/S"), .number("ERRORS/S"), .text("EXITED"),
        ])
        for process in result["processes"]?.arrayValue ?? [] {
            table.append([
                process["pid"]?.numberText ?? "-",
                TerminalText.escaped(process["comm"]?.stringValue ?? "-"),
                process["opens"]?.numberText ?? "-",
                process["errors"]?.numberText ?? "-",
                rate(process["opens_per_second"]),
                rate(process["errors_per_second"]),
                process["exited"]?.boolValue.map { $0 ? "yes" : "no" } ?? "-",
            ])
        }
        return table.lines()
    }

    /// What the table shows, for the title line of `--watch`: `by opens, rates over 10s windows`.
    public static func caption(_ result: JSONValue) -> String {
        let by = result["by"]?.stringValue.map(TerminalText.escaped) ?? "?"
        guard let window = result["window_seconds"]?.doubleValue else { return "by \(by)" }
        return "by \(by), rates over \(NumberFormat.seconds(window))s windows"
    }

    private static func rate(_ value: JSONValue?) -> String {
        value?.doubleValue.map { NumberFormat.decimal($0, places: 1) } ?? "-"
    }
}
