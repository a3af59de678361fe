public import FileOpenCore

/// `fileopenctl reset`: one line saying how many processes lost their detail.
public enum ResetFormatter {
    /// `reset the per-process detail of 57 processes`.
    public static func line(_ result: JSONValue) -> String {
        let count = result["processes"]?.numberText ?? "?"
        return "reset the per-process detail of \(count) " + (count == "1" ? "process" : "processes")
    }
}
