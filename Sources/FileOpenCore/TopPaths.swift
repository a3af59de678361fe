/// A process's most opened paths, in bounded memory: the Space-Saving heavy-hitters algorithm
/// (Metwally et al.) with `capacity` counters. A path that is never evicted has an exact count;
/// a path that took over an evicted counter's slot may be overcounted by at most `overestimate`.
/// Any path opened more than 1/capacity of the time is guaranteed to be in the list.
public struct TopPaths: Sendable, Equatable {
    /// Counters per process: enough for "what does this process keep opening", small enough
    /// that tens of thousands of processes stay cheap.
    public static let capacity = 8

    /// How an entry names its path: the resolved path it is counted under (the path as passed
    /// when unresolved), the path as passed in the first open it counted, and how it was resolved.
    public struct Name: Sendable, Equatable {
        public var path: String
        public var passed: String
        public var resolution: PathResolution

        public init(path: String, passed: String, resolution: PathResolution) {
            self.path = path
            self.passed = passed
            self.resolution = resolution
        }
    }

    public struct Entry: Sendable, Equatable {
        /// The resolved path (as passed when unresolved).
        public var path: String { name.path }
        public var name: Name
        /// `ByteHash` of the path's bytes: what a lookup compares.
        var hash: UInt64
        /// Opens counted for this path (an upper bound when `overestimate` > 0).
        public var opens: UInt64
        /// The most `opens` may exceed the true count by.
        public var overestimate: UInt64
    }

    /// The counters, in no particular order; see `ranked`.
    public private(set) var entries: [Entry] = []

    public init() {}

    /// No path counted (since the list was started or last cleared).
    public var isEmpty: Bool { entries.isEmpty }

    /// The opens the list has counted: the sum of its counts, exact even after evictions (a
    /// newcomer's count is the evicted one's plus its own open).
    public var countedOpens: UInt64 { entries.reduce(0) { $0 + $1.opens } }

    /// Counts one open of `path`, not resolved.
    public mutating func count(_ path: String) {
        var path = path
        let hash = path.withUTF8 { ByteHash.of(UnsafeRawBufferPointer($0)) }
        count(hash: hash) { Name(path: path, passed: path, resolution: .unresolved) }
    }

    /// Counts one open of the path whose bytes hash to `hash` (`ByteHash`, `OpenRecordView.pathKey`);
    /// `path` gives its names, called only when the path is not among the counters already. Paths
    /// are told apart by the 64-bit hash alone, among at most `capacity` paths of one process.
    /// Returns the index of the entry that counted it, for `countAgain`.
    @discardableResult
    public mutating func count(hash: UInt64, path: () -> Name) -> Int {
        if let index = entries.firstIndex(where: { $0.hash == hash }) {
            entries[index].opens += 1
            return index
        } else if entries.count < Self.capacity {
            entries.append(Entry(name: path(), hash: hash, opens: 1, overestimate: 0))
            return entries.count - 1
        } else {
            // Take over the smallest counter: the new path may have been among its opens.
            var smallest = 0
            for index in entries.indices where entries[index].opens < entries[smallest].opens {
                smallest = index
            }
            let floor = entries[smallest].opens
            entries[smallest] = Entry(name: path(), hash: hash, opens: floor + 1, overestimate: floor)
            return smallest
        }
    }

    /// Counts `times` more opens of the path in entry `index`, as the last `count` returned it
    /// (the same as counting them one by one: the path is in that entry).
    mutating func countAgain(at index: Int, times: UInt64) {
        entries[index].opens += times
    }

    /// Most opened first; ties by path.
    public var ranked: [Entry] {
        entries.sorted { $0.opens != $1.opens ? $0.opens > $1.opens : $0.path < $1.path }
    }
}
