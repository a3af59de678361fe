/// Failed opens by errno, in order of first failure. The first two errnos are stored inline and
/// only a third one allocates: a process rarely fails with more than one or two (ENOENT, EACCES),
/// and every tracked process carries one of these, so an array here would cost a heap object per
/// failing process and a cache miss per process on every scrape.
public struct ErrnoCounts: Sequence, Sendable, Equatable {
    /// One errno's failures.
    public struct Entry: Sendable, Equatable {
        /// The errno (1...4095), or 0 for a result outside the kernel's errno range.
        public var errno: Int32
        public var count: UInt64

        public init(errno: Int32, count: UInt64) {
            self.errno = errno
            self.count = count
        }

        /// The label value: "ENOENT", "E524" for a number Linux does not name, "unknown" for 0.
        public var name: String { errno == 0 ? "unknown" : ErrnoName.of(errno) }
    }

    /// The inline slots, their errnos apart from their counts so that the two errnos pack into
    /// four bytes (an `Entry` pair would take 32 with padding); an errno of -1 marks a slot not
    /// used yet (real ones are 0...4095).
    private var firstCount: UInt64 = 0
    private var secondCount: UInt64 = 0
    /// The third errno on, in order; nil until a process fails a third way.
    private var more: [Entry]?
    private var firstErrno: Int16 = -1
    private var secondErrno: Int16 = -1

    public init() {}

    /// Distinct errnos counted.
    public var count: Int {
        firstErrno < 0 ? 0 : secondErrno < 0 ? 1 : 2 + (more?.count ?? 0)
    }

    /// The failures with `errno`, or 0.
    public func count(of errno: Int32) -> UInt64 {
        if Int32(firstErrno) == errno { return firstCount }
        if Int32(secondErrno) == errno { return secondCount }
        return more?.first { $0.errno == errno }?.count ?? 0
    }

    /// Adds `count` failures with `errno` (0...4095).
    @inline(__always)  // per failed record, twice
    public mutating func add(_ errno: Int32, _ count: UInt64) {
        if Int32(firstErrno) == errno || firstErrno < 0 {
            firstErrno = Int16(errno)
            firstCount += count
        } else if Int32(secondErrno) == errno || secondErrno < 0 {
            secondErrno = Int16(errno)
            secondCount += count
        } else if let index = more?.firstIndex(where: { $0.errno == errno }) {
            more![index].count += count
        } else {
            more = (more ?? []) + [Entry(errno: errno, count: count)]
        }
    }

    public func makeIterator() -> Iterator { Iterator(counts: self) }

    /// Walks the entries in order of first failure.
    public struct Iterator: IteratorProtocol {
        fileprivate let counts: ErrnoCounts
        private var position = 0

        fileprivate init(counts: ErrnoCounts) { self.counts = counts }

        public mutating func next() -> Entry? {
            defer { position += 1 }
            switch position {
            case 0: return counts.firstErrno < 0 ? nil : Entry(errno: Int32(counts.firstErrno), count: counts.firstCount)
            case 1: return counts.secondErrno < 0 ? nil : Entry(errno: Int32(counts.secondErrno), count: counts.secondCount)
            default:
                guard let more = counts.more, position - 2 < more.count else { return nil }
                return more[position - 2]
            }
        }
    }
}
