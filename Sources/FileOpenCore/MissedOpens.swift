/// The kernel's count of one process's opens whose records were lost (the program's `missed`
/// map), with the comm it had at the first loss: enough to name a process whose every record
/// was dropped.
public struct MissedOpens: Sendable, Equatable {
    /// Opens without a record since the process was first charged; only ever grows.
    public var opens: UInt64
    public var comm: String

    public init(opens: UInt64, comm: String) {
        self.opens = opens
        self.comm = comm
    }
}
