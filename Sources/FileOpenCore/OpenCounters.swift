/// Counts of open attempts: one process's, one comm's, or an overflow bucket's. Every count only
/// grows; merging two sets of counters adds them.
public struct OpenCounters: Sendable, Equatable {
    /// Every open attempt, failed ones and ones whose record was lost included.
    public var opens: UInt64 = 0
    /// Of `opens`, those the kernel counted without a record (no access mode, errno or path known).
    public var missedOpens: UInt64 = 0
    /// Attempts with a record, by access mode (`O_RDONLY`, `O_WRONLY`, `O_RDWR`).
    public var reads: UInt64 = 0
    public var writes: UInt64 = 0
    public var readWrites: UInt64 = 0
    /// Attempts with `O_CREAT` (every creat(2)).
    public var creates: UInt64 = 0
    /// Failed attempts by errno, in order of first failure. A small array, not a dictionary: a
    /// process rarely fails with more than a few distinct errnos, and this keeps it one allocation.
    public private(set) var errors: [ErrnoCount] = []

    /// One errno's failures.
    public struct ErrnoCount: Sendable, Equatable {
        /// The errno (1...4095), or 0 for a result outside the kernel's errno range.
        public var errno: Int32
        public var count: UInt64

        /// The label value: "ENOENT", "E524" for a number Linux does not name, "unknown" for 0.
        public var name: String { errno == 0 ? "unknown" : ErrnoName.of(errno) }
    }

    public init() {}

    /// All failed attempts.
    public var failedOpens: UInt64 { errors.reduce(0) { $0 + $1.count } }

    /// The failures with `errno` (0 for none).
    public func errors(_ errno: Int32) -> UInt64 {
        errors.first { $0.errno == errno }?.count ?? 0
    }

    /// Counts one open that has a record.
    public mutating func count(_ event: FileOpenEvent) {
        opens += 1
        switch event.flags.accessMode {
        case .read: reads += 1
        case .write: writes += 1
        case .readWrite: readWrites += 1
        }
        if event.flags.creates { creates += 1 }
        if let errno = event.errno { addErrors(Self.boundedErrno(errno), 1) }
    }

    /// Counts opens that the kernel counted but could not record.
    public mutating func countMissed(_ count: UInt64) {
        opens += count
        missedOpens += count
    }

    /// Adds every count of `other`.
    public mutating func merge(_ other: OpenCounters) {
        opens += other.opens
        missedOpens += other.missedOpens
        reads += other.reads
        writes += other.writes
        readWrites += other.readWrites
        creates += other.creates
        for error in other.errors { addErrors(error.errno, error.count) }
    }

    private mutating func addErrors(_ errno: Int32, _ count: UInt64) {
        if let index = errors.firstIndex(where: { $0.errno == errno }) {
            errors[index].count += count
        } else {
            errors.append(ErrnoCount(errno: errno, count: count))
        }
    }

    /// Keeps the errno label set bounded: the kernel's errno range is 1...4095 (MAX_ERRNO).
    private static func boundedErrno(_ errno: Int32) -> Int32 {
        (1...4095).contains(errno) ? errno : 0
    }
}
