/// What the aggregator has done so far; every count only grows.
public struct AggregatorStatistics: Sendable, Equatable {
    /// Open records counted.
    public var openRecords: UInt64 = 0
    /// Exit records seen.
    public var exitRecords: UInt64 = 0
    /// Opens counted from the kernel's missed map (their records were lost).
    public var missedOpens: UInt64 = 0
    /// Processes folded into `other` over the cap.
    public var evictedProcesses: UInt64 = 0
    /// Exited processes removed after the retention window.
    public var expiredProcesses: UInt64 = 0
    /// Processes whose top paths were dropped to make room for more recently active ones.
    public var droppedTopPaths: UInt64 = 0
    /// Opens counted under `[other]` because the comm cap was reached.
    public var overflowedCommOpens: UInt64 = 0
    /// Opens counted under `unit="[other]"` because the unit cap was reached.
    public var overflowedUnitOpens: UInt64 = 0
    /// Cgroups forgotten after their removal, once every count made in them was attributed.
    public var forgottenCgroups: UInt64 = 0

    public init() {}
}
