import Synchronization

/// One `tail` subscriber of a `TailHub`: its filter and bounded queue. The tail stream's thread that
/// owns it calls `next(timeout:)` in a loop; the publisher never waits for it.
public final class TailSubscription: Sendable {
    private let queue: TailQueue
    private let hub: TailHub
    private let cancelled = Atomic<Bool>(false)

    init(queue: TailQueue, hub: TailHub) {
        self.queue = queue
        self.hub = hub
    }

    deinit {
        cancel()
    }

    /// The filter the hub applies before queueing.
    public var filter: TailFilter { queue.filter }

    /// Waits up to `timeout` for events; returns what is queued (possibly empty) and the number
    /// dropped since the previous call. Never blocks the publisher. After `cancel()` it returns
    /// at once with nothing, also in a call that was waiting when `cancel()` came.
    public func next(timeout: Duration) -> (records: [ProbeRecord], dropped: UInt64) {
        queue.take(timeout: timeout)
    }

    /// Why the hub ended the stream (`TailHub.endAll`); nil while it runs.
    public var endedBy: QueryError? { queue.endedBy }

    /// Unsubscribes: the hub stops queueing for it, queued events are released, and a waiting
    /// `next` returns. Idempotent; also done on deinit.
    public func cancel() {
        guard !cancelled.exchange(true, ordering: .acquiringAndReleasing) else { return }
        hub.unsubscribe(queue)
        queue.cancel()
    }
}
