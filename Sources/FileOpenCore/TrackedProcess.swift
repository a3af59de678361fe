/// One process the aggregator follows: its identity, current comm, counters and times.
/// Times are kernel CLOCK_BOOTTIME nanoseconds, the clock of the records.
public struct TrackedProcess: Sendable, Equatable {
    // Stored properties are in this order so that the small ones fill what would be padding:
    // every tracked process is one of these, so its stride is most of a process's memory.
    public let identity: ProcessIdentity
    public var counters = OpenCounters()
    /// Where the totals of its comm are in `Aggregator.comms` (-1: look it up), so that its
    /// records count there without hashing the comm.
    var commPosition: Int32 = -1
    /// Opens and failures per second over the last complete rate window (0 until one passed).
    public var opensPerSecond: Float = 0
    public var errorsPerSecond: Float = 0
    /// Where its pid is in `ProcessTable`'s list of processes that keep top paths (-1: none).
    var topPathsSlot: Int32 = -1
    /// The comm of its latest record, as the kernel's bytes: a record of the same comm is told
    /// apart by two integer compares, and no `String` (16 bytes) per process repeats what the
    /// comm table holds.
    var commBytes: CommBytes
    /// The v2 cgroup of its latest open (0 until one was counted): `proc` shows its unit.
    public private(set) var cgroup: UInt64 = 0
    /// Where the totals of `cgroup`'s unit are in `Aggregator.units` (-1: look it up), so that
    /// its records count there without hashing the cgroup id.
    var unitPosition: Int32 = -1
    /// When its first record or missed count arrived.
    public var firstSeen: UInt64
    /// When its latest record arrived (its exit, once it has exited).
    public var lastSeen: UInt64
    /// `exitedAt`, or `UInt64.max` while it runs: an optional would take 16 bytes with padding.
    private var exitTime = UInt64.max
    /// Its counts when the current rate window began.
    var windowStartOpens: UInt64 = 0
    var windowStartErrors: UInt64 = 0
    /// The paths it opens most (detail for queries): kept for the most recently active
    /// processes only (`AggregatorSettings.maxTopPathsProcesses`); `Aggregator.resetDetail()`
    /// clears it.
    public var topPaths = TopPaths()

    /// When it exited, once its exit record arrived.
    public var exitedAt: UInt64? {
        get { exitTime == .max ? nil : exitTime }
        set { exitTime = newValue ?? .max }
    }

    public init(identity: ProcessIdentity, comm: String, seenAt time: UInt64) {
        self.init(identity: identity, commBytes: CommBytes(comm), seenAt: time)
    }

    init(identity: ProcessIdentity, commBytes: CommBytes, seenAt time: UInt64) {
        self.identity = identity
        self.commBytes = commBytes
        firstSeen = time
        lastSeen = time
    }

    /// The comm of its latest record: follows exec and prctl(PR_SET_NAME).
    public var comm: String { commBytes.text }

    public var hasExited: Bool { exitedAt != nil }

    /// Counts one of its opens, and its path among its top paths if `keepingPath` (then
    /// `decodePath` is called only for a path not among them already). Its comm is kept up to
    /// date by `Aggregator`. Returns the top-path entry that counted it, or -1.
    mutating func count(
        _ record: OpenRecordView, pathHash: UInt64, keepingPath: Bool, decodePath: () -> TopPaths.Name
    ) -> Int {
        counters.count(flags: record.flags, result: record.result)
        lastSeen = max(lastSeen, record.timestamp)
        return keepingPath ? topPaths.count(hash: pathHash, path: decodePath) : -1
    }

    /// Counts `times` more opens like one just counted into top-path entry `pathEntry` (-1: none).
    mutating func countAgain(_ times: UInt64, flags: OpenFlags, result: Int64, timestamp: UInt64, pathEntry: Int) {
        counters.count(flags: flags, result: result, times: times)
        lastSeen = max(lastSeen, timestamp)
        if pathEntry >= 0 { topPaths.countAgain(at: pathEntry, times: times) }
    }

    /// Notes that its latest open was in `cgroup`, whose unit counts at `unitPosition` (-1: not
    /// to be remembered).
    mutating func moved(to cgroup: UInt64, unitPosition: Int32 = -1) {
        self.cgroup = cgroup
        self.unitPosition = unitPosition
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
