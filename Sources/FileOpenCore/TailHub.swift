import Synchronization

/// Fans the daemon's records out to `tail` subscribers, each through a bounded queue of its own.
///
/// Invariant: `publish` never blocks on a subscriber. With no subscriber it is one atomic load.
/// Otherwise it takes the registry lock only to copy the subscriber array (a retain), filters
/// each batch with no lock held, and takes each queue's lock only to append what fits; a reader
/// holds that lock only to swap the array out, never while it waits or writes to its socket. A
/// queue that is full (the reader is behind) counts the rest of the batch as dropped, for the
/// reader's next `{"dropped":N}` line and for `droppedEvents`; the consumer thread goes on.
public final class TailHub: Sendable {
    /// Events a subscriber may have queued; beyond that its matching events are dropped.
    public let queueCapacity: Int
    private let queues = Mutex<[TailQueue]>([])
    /// The number of queues, read without the lock on every publish.
    private let count = Atomic<Int>(0)
    private let dropped = Atomic<UInt64>(0)

    /// A hub whose subscribers each queue at most `queueCapacity` (at least 1) events.
    public init(queueCapacity: Int = 4096) {
        self.queueCapacity = max(1, queueCapacity)
    }

    /// Offers `batch` to every subscriber whose filter it matches. Called by the consumer thread
    /// with every batch; never blocks on a subscriber (see the type's invariant).
    public func publish(_ batch: [ProbeRecord]) {
        guard !batch.isEmpty, count.load(ordering: .acquiring) > 0 else { return }
        let current = queues.withLock { $0 }
        var droppedNow: UInt64 = 0
        for queue in current {
            let matching = queue.filter.matchesEverything ? batch : batch.filter(queue.filter.matches)
            droppedNow += queue.offer(matching)
        }
        if droppedNow > 0 { dropped.add(droppedNow, ordering: .relaxed) }
    }

    /// A new subscriber that receives the matching events published from now on.
    /// Cancel it (or let it go) to unsubscribe.
    public func subscribe(_ filter: TailFilter) -> TailSubscription {
        let queue = TailQueue(filter: filter, capacity: queueCapacity)
        queues.withLock { queues in
            queues.append(queue)
            count.store(queues.count, ordering: .releasing)
        }
        return TailSubscription(queue: queue, hub: self)
    }

    /// Subscribers now.
    public var subscriberCount: Int { count.load(ordering: .acquiring) }

    /// Matching events discarded because their subscriber's queue was full, over all subscribers, ever.
    public var droppedEvents: UInt64 { dropped.load(ordering: .relaxed) }

    /// The hub's figures now.
    public var statistics: Statistics {
        Statistics(subscribers: subscriberCount, droppedEvents: droppedEvents)
    }

    /// What the hub reports to `/metrics` and `status`.
    public struct Statistics: ComponentStatistics, Equatable {
        /// Subscribers now: `tail` streams (a gauge).
        public var subscribers = 0
        /// Events a slow reader's queue had no room for, ever (a loss stage).
        public var droppedEvents: UInt64 = 0

        public init(subscribers: Int = 0, droppedEvents: UInt64 = 0) {
            self.subscribers = subscribers
            self.droppedEvents = droppedEvents
        }

        public func writeMetrics(into writer: inout ExpositionWriter) {
            writer.family("fileopen_query_tail_clients", .gauge, help: "Query socket clients streaming with tail.")
            writer.sample(UInt64(subscribers))
            writer.family(
                "fileopen_tail_dropped_events", .counter,
                help: "Events a slow tail reader had no room for (each reader is told how many it missed)."
            )
            writer.sample(droppedEvents)
        }
    }

    /// Ends every subscription now (the detail level no longer makes records): each one's
    /// `endedBy` says `reason`, which its stream writes as its last line.
    public func endAll(_ reason: QueryError) {
        let ended = queues.withLock { queues in
            defer {
                queues = []
                count.store(0, ordering: .releasing)
            }
            return queues
        }
        for queue in ended { queue.cancel(reason: reason) }
    }

    /// Removes `queue` from the fan-out (`TailSubscription.cancel`).
    func unsubscribe(_ queue: TailQueue) {
        queues.withLock { queues in
            queues.removeAll { $0 === queue }
            count.store(queues.count, ordering: .releasing)
        }
    }
}
