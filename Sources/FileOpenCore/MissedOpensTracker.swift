/// Turns readings of the kernel's missed-opens map into occasional reports an operator can act
/// on: how many opens reached no ring buffer record since the last report, and which process lost
/// the most. Counts stay exact either way (the aggregator folds the map in); a report says that
/// `tail` and top paths missed some. At most one report per `interval`, so a flood, the very thing
/// that fills the ring, cannot flood the log too. Memory stays bounded by the kernel map's size:
/// processes that left the map are forgotten.
public struct MissedOpensTracker: Sendable {
    /// What one report says.
    public struct Report: Sendable, Equatable {
        /// New missed opens since the previous report, over all processes.
        public var opens: UInt64
        /// How many processes they came from.
        public var processes: Int
        /// The process that missed the most.
        public var worst: ProcessIdentity
        /// Its comm.
        public var worstComm: String
        /// Its new missed opens.
        public var worstOpens: UInt64

        /// A report of `opens` from `processes`, most from `worst`.
        public init(opens: UInt64, processes: Int, worst: ProcessIdentity, worstComm: String, worstOpens: UInt64) {
            (self.opens, self.processes, self.worst, self.worstComm, self.worstOpens) =
                (opens, processes, worst, worstComm, worstOpens)
        }
    }

    private let interval: Duration
    /// Each process's count when last read: the map's counts only grow, so the delta is what is new.
    private var seen: [ProcessIdentity: UInt64] = [:]
    /// New missed opens per process not reported yet.
    private var pending: [ProcessIdentity: (opens: UInt64, comm: String)] = [:]
    private var lastReport: ContinuousClock.Instant?

    /// Reports at most once per `interval`.
    public init(interval: Duration = .seconds(60)) {
        self.interval = interval
    }

    /// Takes a reading as the new baseline without reporting what grew: at the counts level every
    /// open is counted in the map, and none of them missed a record.
    public mutating func rebase(_ missed: [ProcessIdentity: MissedOpens]) {
        seen = missed.mapValues(\.opens)
        pending = [:]
    }

    /// Folds in one reading of the map; returns a report when something is pending and the
    /// interval since the previous one has passed.
    public mutating func observe(
        _ missed: [ProcessIdentity: MissedOpens], now: ContinuousClock.Instant = .now
    ) -> Report? {
        for (identity, entry) in missed {
            let previous = seen[identity] ?? 0
            guard entry.opens > previous else { continue }
            pending[identity, default: (0, entry.comm)].opens += entry.opens - previous
        }
        seen = missed.mapValues(\.opens)
        guard let worst = pending.max(by: { $0.value.opens < $1.value.opens }),
              lastReport.map({ now - $0 >= interval }) ?? true
        else { return nil }
        lastReport = now
        let report = Report(
            opens: pending.values.reduce(0) { $0 + $1.opens }, processes: pending.count,
            worst: worst.key, worstComm: worst.value.comm, worstOpens: worst.value.opens
        )
        pending = [:]
        return report
    }
}
