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
    /// The paths it opens most (detail for queries; `Aggregator.resetDetail()` clears it).
    public var topPaths = TopPaths()
    /// Opens and failures per second over the last complete rate window (0 until one passed).
    public var opensPerSecond: Float = 0
    public var errorsPerSecond: Float = 0
    /// Its comm's raw bytes, as of the record that set `comm`, so a record of the same comm
    /// needs no decoding.
    var commBytes = CommBytes.unknown
    /// Where the totals of its comm are in `Aggregator.comms` (-1: look it up), so that its
    /// records count there without hashing the comm.
    var commPosition: Int32 = -1
    /// Its counts when the current rate window began.
    var windowStartOpens: UInt64 = 0
    var windowStartErrors: UInt64 = 0

    public init(identity: ProcessIdentity, comm: String, seenAt time: UInt64) {
        self.identity = identity
        self.comm = comm
        firstSeen = time
        lastSeen = time
    }

    public var hasExited: Bool { exitedAt != nil }

    /// Counts one of its opens; `decodePath` is called only for a path not among its top paths.
    /// Its comm is kept up to date by `Aggregator`. Returns the top-path entry that counted it.
    mutating func count(_ record: OpenRecordView, pathHash: UInt64, decodePath: () -> String) -> Int {
        counters.count(flags: record.flags, result: record.result)
        lastSeen = max(lastSeen, record.timestamp)
        return topPaths.count(hash: pathHash, path: decodePath)
    }

    /// Counts `times` more opens like one just counted into top-path entry `pathEntry`.
    mutating func countAgain(_ times: UInt64, flags: OpenFlags, result: Int64, timestamp: UInt64, pathEntry: Int) {
        counters.count(flags: flags, result: result, times: times)
        lastSeen = max(lastSeen, timestamp)
        topPaths.countAgain(at: pathEntry, times: times)
    }

    /// Ends a rate window of `seconds`: the rates become those of the window just ended.
    mutating func rollRateWindow(seconds: Double) {
        let failed = counters.failedOpens
        opensPerSecond = Float(Double(counters.opens - windowStartOpens) / seconds)
        errorsPerSecond = Float(Double(failed - windowStartErrors) / seconds)
        windowStartOpens = counters.opens
        windowStartErrors = failed
    }

    /// Forgets the query detail (top paths, rates); the counters stay.
    mutating func resetDetail() {
        topPaths = TopPaths()
        opensPerSecond = 0
        errorsPerSecond = 0
        windowStartOpens = counters.opens
        windowStartErrors = counters.failedOpens
    }
}
