/// The result of the query socket's `reset` command: `{"processes":57,"reset":true}`.
public struct ResetReport: Codable, Sendable, Equatable {
    /// Always true: the detail was reset.
    public var reset: Bool
    /// How many tracked processes lost their detail.
    public var processes: Int

    /// A report of `processes` reset.
    public init(processes: Int) {
        reset = true
        self.processes = processes
    }
}
