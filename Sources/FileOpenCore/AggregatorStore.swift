import Synchronization

/// The aggregator shared between the consumer thread (the only writer) and readers (scrapes,
/// queries). A reader's `snapshot()` holds the lock only to copy the aggregator's value, which is
/// O(1) (copy on write); it then renders from its copy with no lock held. The writer pays for
/// the copy: its next change after a snapshot duplicates the storage, once per snapshot.
public final class AggregatorStore: Sendable {
    private let state: Mutex<Aggregator>

    public init(settings: AggregatorSettings = AggregatorSettings()) {
        state = Mutex(Aggregator(settings: settings))
    }

    /// Counts a batch of records (on the consumer thread).
    public func apply(_ records: [ProbeRecord]) {
        state.withLock { $0.apply(records) }
    }

    /// Learns cgroups found, or notes them removed.
    public func apply(_ changes: [CgroupChange]) {
        state.withLock { aggregator in changes.forEach { aggregator.apply($0) } }
    }

    /// Runs `body` on the aggregator itself, holding the lock: the consumer thread counts a whole
    /// drain in place this way (readers wait at most one drain for their snapshot).
    public func withAggregator<Result>(_ body: (inout Aggregator) -> Result) -> Result {
        state.withLock { body(&$0) }
    }

    /// Folds in the kernel's missed-opens counts, if read, and with `expiring` expires processes
    /// past their retention. Returns the processes whose kernel missed entries can now be deleted.
    public func maintain(missed: MissedMaps?, now: UInt64, expiring: Bool = true) -> [ProcessIdentity] {
        state.withLock { aggregator in
            let finished = missed.map { aggregator.foldMissed($0, now: now) } ?? []
            if expiring { aggregator.expire(now: now) }
            return finished
        }
    }

    /// Notes that these processes have exited at `timestamp`; returns how many were tracked and
    /// not yet known to have exited.
    public func markExited(_ identities: some Sequence<ProcessIdentity>, at timestamp: UInt64) -> Int {
        state.withLock { aggregator in identities.reduce(0) { $0 + (aggregator.markExited($1, at: timestamp) ? 1 : 0) } }
    }

    /// Ends the current rate window (every `AggregatorSettings.rateWindow`).
    public func rollRateWindow() {
        state.withLock { $0.rollRateWindow() }
    }

    /// Zeroes the per-process query detail; returns how many processes were reset.
    public func resetDetail() -> Int {
        state.withLock { $0.resetDetail() }
    }

    /// A consistent copy of everything counted so far.
    public func snapshot() -> Aggregator {
        state.withLock { $0 }
    }

    /// Changes the bounds; a lower cap takes effect at the next maintenance.
    public func update(settings: AggregatorSettings) {
        state.withLock { $0.settings = settings }
    }
}
