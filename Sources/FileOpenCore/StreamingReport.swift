/// The result of the query socket's `tail` command, `{"streaming":true}`: from the next line on,
/// the connection carries the stream (`TailStreamLine`).
public struct StreamingReport: Codable, Sendable, Equatable {
    /// Always true.
    public var streaming: Bool

    /// The report.
    public init() {
        streaming = true
    }
}
