/// One process the aggregator follows: its identity, current comm, counters and times.
/// Times are kernel CLOCK_BOOTTIME nanoseconds, the clock of the records.
public struct TrackedProcess: Sendable, Equatable {
    public let identity: ProcessIdentity
    /// The comm of its latest record: follows exec and prctl(PR_SET_NAME).
    public var comm: String
    public var counters = OpenCounters()
    /// When its first record or missed count arrived.
    public var firstSeen: UInt64
    /// When its latest record arrived (its exit, once it has exited).
    public var lastSeen: UInt64
    /// When it exited, once its exit record arrived.
    public var exitedAt: UInt64?

    public init(identity: ProcessIdentity, comm: String, seenAt time: UInt64) {
        self.identity = identity
        self.comm = comm
        firstSeen = time
        lastSeen = time
    }

    public var hasExited: Bool { exitedAt != nil }

    /// Counts one of its opens, taking the comm it had then.
    public mutating func count(_ event: FileOpenEvent) {
        if comm != event.comm { comm = event.comm }
        counters.count(event)
        lastSeen = max(lastSeen, event.timestamp)
    }
}
