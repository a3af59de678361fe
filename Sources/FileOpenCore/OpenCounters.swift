/// Counts of open attempts: one process's, one comm's, or an overflow bucket's. Every count only
/// grows; merging two sets of counters adds them.
public struct OpenCounters: Sendable, Equatable {
    /// Every open attempt, failed ones and ones whose record was lost included.
    public var opens: UInt64 = 0
    /// Of `opens`, those the kernel counted without a record (everything but the path is known).
    public var missedOpens: UInt64 = 0
    /// Attempts by access mode (`O_RDONLY`, `O_WRONLY`, `O_RDWR`).
    public var reads: UInt64 = 0
    public var writes: UInt64 = 0
    public var readWrites: UInt64 = 0
    /// Attempts with `O_CREAT` (every creat(2)).
    public var creates: UInt64 = 0
    /// Failed attempts by errno, in order of first failure.
    public private(set) var errors = ErrnoCounts()

    public init() {}

    /// All failed attempts.
    public var failedOpens: UInt64 { errors.reduce(0) { $0 + $1.count } }

    /// The failures with `errno` (0 for none).
    public func errors(_ errno: Int32) -> UInt64 {
        errors.count(of: errno)
    }

    /// Counts one open that has a record, from its flags and result (fd or -errno).
    @inline(__always)  // per record, twice (process and comm)
    public mutating func count(flags: OpenFlags, result: Int64) {
        count(flags: flags, result: result, times: 1)
    }

    /// Counts `times` opens that all have these flags and this result.
    @inline(__always)
    public mutating func count(flags: OpenFlags, result: Int64, times: UInt64) {
        opens += times
        switch flags.accessMode {
        case .read: reads += times
        case .write: writes += times
        case .readWrite: readWrites += times
        }
        if flags.creates { creates += times }
        if result < 0 { errors.add(Self.boundedErrno(result), times) }
    }

    /// Counts opens that the kernel counted but could not record (`missed`: what is new).
    public mutating func countMissed(_ missed: MissedOpens) {
        opens += missed.opens
        missedOpens += missed.opens
        reads += missed.reads
        writes += missed.writes
        readWrites += missed.readWrites
        creates += missed.creates
        for (errno, count) in missed.errors.sorted(by: { $0.key < $1.key }) { errors.add(errno, count) }
    }

    /// Adds every count of `other`.
    public mutating func merge(_ other: OpenCounters) {
        opens += other.opens
        missedOpens += other.missedOpens
        reads += other.reads
        writes += other.writes
        readWrites += other.readWrites
        creates += other.creates
        for error in other.errors { errors.add(error.errno, error.count) }
    }

    /// Keeps the errno label set bounded: the kernel's errno range is 1...4095 (MAX_ERRNO).
    private static func boundedErrno(_ result: Int64) -> Int32 {
        (-4095 ... -1).contains(result) ? Int32(-result) : 0
    }
}
