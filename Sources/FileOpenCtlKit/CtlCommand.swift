public import FileOpenCore

/// A subcommand with its arguments read and checked, ready to run (`CtlArguments.parse`).
public enum CtlCommand: Equatable, Sendable {
    /// `status`.
    case status
    /// `top`: the request to send, and with `--watch` the seconds between rounds.
    case top(QueryRequest, watch: Double?)
    /// `proc PID`.
    case proc(pid: Int32)
    /// `tail`: the request to send (`.tail(filter)`).
    case tail(QueryRequest)
    /// `reset`.
    case reset
}
