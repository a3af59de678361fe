import Dispatch
import Synchronization

/// One tail subscriber's bounded queue, shared by the publisher (`TailHub.publish`, the daemon's
/// consumer thread) and the subscriber (`TailSubscription.next`, a tail stream's thread).
///
/// Invariant: the lock is held only to append (publisher) or to swap the array out (subscriber),
/// never across a wait or any I/O, so the publisher can never be held up by a slow subscriber
/// for longer than one such critical section. A full queue makes the publisher count, not wait.
final class TailQueue: Sendable {
    private struct State {
        var records: [ProbeRecord] = []
        /// Matching records discarded since the subscriber's last take.
        var dropped: UInt64 = 0
        /// The subscriber sleeps on `wakeup` and wants one signal when records arrive.
        var waiting = false
        var cancelled = false
        /// Why the hub ended the stream (`TailHub.end`), for the subscriber's last line.
        var endedBy: QueryError?
    }

    let filter: TailFilter
    let capacity: Int
    private let state = Mutex(State())
    /// Signalled at most once per wait, by whoever clears `waiting` (publisher or `cancel`).
    private let wakeup = DispatchSemaphore(value: 0)

    init(filter: TailFilter, capacity: Int) {
        self.filter = filter
        self.capacity = capacity
    }

    /// Appends what fits of `matching` (already filtered) and counts the rest as dropped: the
    /// oldest events stay, the newest are discarded, so the reader sees a gap, never a reordering.
    /// Returns how many were dropped. A cancelled queue takes nothing and drops nothing.
    func offer(_ matching: [ProbeRecord]) -> UInt64 {
        guard !matching.isEmpty else { return 0 }
        let (dropped, wake) = state.withLock { state -> (UInt64, Bool) in
            guard !state.cancelled else { return (0, false) }
            let accepted = min(max(0, capacity - state.records.count), matching.count)
            if accepted == matching.count {
                state.records.append(contentsOf: matching)
            } else if accepted > 0 {
                state.records.append(contentsOf: matching[..<accepted])
            }
            let dropped = UInt64(matching.count - accepted)
            state.dropped += dropped
            let wake = state.waiting && accepted > 0
            if wake { state.waiting = false }
            return (dropped, wake)
        }
        if wake { wakeup.signal() }
        return dropped
    }

    /// Everything queued and the dropped count since the last call, waiting up to `timeout` for
    /// something to arrive if the queue is empty. Returns at once, empty, once cancelled.
    func take(timeout: Duration) -> (records: [ProbeRecord], dropped: UInt64) {
        if let ready = state.withLock({ state in
            if state.cancelled || !state.records.isEmpty || state.dropped > 0 { return Self.drain(&state) }
            state.waiting = true
            return nil
        }) {
            return ready
        }
        let timedOut = wakeup.wait(timeout: .now() + Self.dispatchInterval(timeout)) == .timedOut
        let (result, signalPending) = state.withLock { state in
            // Timed out but `waiting` already cleared: a signal is on its way and must be consumed
            // now, or it would cut the next wait short.
            let pending = timedOut && !state.waiting
            state.waiting = false
            return (Self.drain(&state), pending)
        }
        if signalPending { wakeup.wait() }
        return result
    }

    /// Wakes a waiting `take` and makes every later `offer` a no-op; `reason`, when the hub ends
    /// the stream, is what `endedBy` then says.
    func cancel(reason: QueryError? = nil) {
        let wake = state.withLock { state in
            state.cancelled = true
            if state.endedBy == nil { state.endedBy = reason }
            state.records = []
            defer { state.waiting = false }
            return state.waiting
        }
        if wake { wakeup.signal() }
    }

    /// Why the hub ended this queue's stream; nil while it runs or when the subscriber cancelled.
    var endedBy: QueryError? { state.withLock { $0.endedBy } }

    private static func drain(_ state: inout State) -> (records: [ProbeRecord], dropped: UInt64) {
        defer {
            state.records = []
            state.dropped = 0
        }
        return (state.records, state.dropped)
    }

    /// `timeout` for `DispatchSemaphore.wait`, clamped to 0…1 day.
    private static func dispatchInterval(_ timeout: Duration) -> DispatchTimeInterval {
        let (seconds, attoseconds) = timeout.components
        guard seconds >= 0, attoseconds >= 0 else { return .nanoseconds(0) }
        guard seconds < 86_400 else { return .seconds(86_400) }
        return .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
    }
}
