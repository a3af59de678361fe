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

    /// Inline slots; an errno of -1 marks a slot not used yet (real ones are 0...4095).
    private var first = Entry(errno: -1, count: 0)
    private var second = Entry(errno: -1, count: 0)
    /// The third errno on, in order; nil until a process fails a third way.
    private var more: [Entry]?

    public init() {}

    /// Distinct errnos counted.
    public var count: Int {
        first.errno < 0 ? 0 : second.errno < 0 ? 1 : 2 + (more?.count ?? 0)
    }

    /// The failures with `errno`, or 0.
    public func count(of errno: Int32) -> UInt64 {
        if first.errno == errno { return first.count }
        if second.errno == errno { return second.count }
        return more?.first { $0.errno == errno }?.count ?? 0
    }

    /// Adds `count` failures with `errno` (0...4095).
    @inline(__always)  // per failed record, twice
    public mutating func add(_ errno: Int32, _ count: UInt64) {
        if first.errno == errno || first.errno < 0 {
            first.errno = errno
            first.count += count
        } else if second.errno == errno || second.errno < 0 {
            second.errno = errno
            second.count += count
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
            case 0: return counts.first.errno < 0 ? nil : counts.first
            case 1: return counts.second.errno < 0 ? nil : counts.second
            default:
                guard let more = counts.more, position - 2 < more.count else { return nil }
                return more[position - 2]
            }
        }
    }
}
