/// The aggregator's bounds; all of them can change while it runs.
public struct AggregatorSettings: Sendable, Equatable {
    /// How long an exited process stays in the per-process counters before only its comm's
    /// totals remember it.
    public var retention: Duration = .seconds(300)
    /// The most processes tracked one by one; beyond it the least recently active are folded
    /// into the `other` bucket.
    public var maxProcesses = 10_000
    /// The most distinct comms with totals of their own; opens of further comms count under
    /// `AggregatorSettings.otherComm`. Bounds what a process renaming itself in a loop can cost.
    public var maxComms = 10_000
    /// The most units (`ServiceUnit`: a unit and its container id) with totals of their own;
    /// opens in further units count under `ServiceUnit.other`.
    public var maxUnits = 1_000
    /// The most processes that keep top paths (the query detail `proc` shows): the most recently
    /// active ones; the others keep their counters only. Path text is most of what a process
    /// costs, so this bounds it apart from `maxProcesses`. 0 keeps none.
    public var maxTopPathsProcesses = 1_000
    /// The window of the recent rates `top` shows (opens and failures per second).
    public var rateWindow: Duration = .seconds(10)

    /// The comm label of the overflow buckets. Brackets, as `ps` shows kernel threads, so it
    /// reads as "not a real command" (a process could still call itself that; none does).
    public static let otherComm = "[other]"

    public init(
        retention: Duration = .seconds(300), maxProcesses: Int = 10_000, maxComms: Int = 10_000,
        maxTopPathsProcesses: Int = 1_000, rateWindow: Duration = .seconds(10), maxUnits: Int = 1_000
    ) {
        self.retention = retention
        self.maxProcesses = maxProcesses
        self.maxComms = maxComms
        self.maxUnits = maxUnits
        self.maxTopPathsProcesses = maxTopPathsProcesses
        self.rateWindow = rateWindow
    }

    /// The retention in nanoseconds, the unit of record timestamps.
    public var retentionNanoseconds: UInt64 {
        let (seconds, attoseconds) = retention.components
        return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
    }
}
