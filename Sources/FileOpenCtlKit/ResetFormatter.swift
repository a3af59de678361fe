public import FileOpenCore

/// `fileopenctl reset`: one line saying how many processes lost their detail.
public enum ResetFormatter {
    /// `reset the per-process detail of 57 processes`.
    public static func line(_ reset: ResetReport) -> String {
        "reset the per-process detail of \(reset.processes) " + (reset.processes == 1 ? "process" : "processes")
    }
}
