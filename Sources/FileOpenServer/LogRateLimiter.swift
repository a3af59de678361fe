import Synchronization

/// Lets one message of a kind through per interval and counts the rest, so an event a client can
/// cause at will (refusals at the connection cap, accept errors) cannot flood the journal.
final class LogRateLimiter: Sendable {
    private struct Entry {
        var lastLogged: ContinuousClock.Instant
        var suppressed: Int
    }

    private let interval: Duration
    private let entries = Mutex<[String: Entry]>([:])

    init(interval: Duration = .seconds(10)) {
        self.interval = interval
    }

    /// Nil if a `key` message was logged less than an interval ago (this one is counted instead);
    /// otherwise how many were suppressed since the last one, for the message to mention.
    func admit(_ key: String, now: ContinuousClock.Instant = .now) -> Int? {
        entries.withLock { entries in
            if let entry = entries[key], now - entry.lastLogged < interval {
                entries[key]?.suppressed += 1
                return nil
            }
            let suppressed = entries[key]?.suppressed ?? 0
            entries[key] = Entry(lastLogged: now, suppressed: 0)
            return suppressed
        }
    }
}
