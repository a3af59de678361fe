/// What the daemon answers a command with: one report type per command, encoded as the reply's
/// `result` (`QueryReply.success`).
public enum QueryResult: Sendable, Encodable {
    /// The reply to `status`.
    case status(StatusReport)
    /// The reply to `top`.
    case top(TopReport)
    /// The reply to `proc`.
    case proc(ProcessReport)
    /// The reply to `reset`.
    case reset(ResetReport)
    /// The reply to `tail`, before the stream.
    case streaming(StreamingReport)

    /// The report itself, with no wrapper of its own: the client knows which one it asked for.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .status(let report): try report.encode(to: encoder)
        case .top(let report): try report.encode(to: encoder)
        case .proc(let report): try report.encode(to: encoder)
        case .reset(let report): try report.encode(to: encoder)
        case .streaming(let report): try report.encode(to: encoder)
        }
    }
}
