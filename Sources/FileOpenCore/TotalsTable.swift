/// Totals per comm (`CommTable`) or per unit (`UnitTable`): a dense array and a key → position
/// index. A key's position never changes (keys are never removed: their totals must not go
/// backwards), so a tracked process remembers the position of its comm, and a cgroup that of
/// its unit, and counts there without hashing the key again: on the consumer thread that hash
/// was a tenth of the time per record.
public struct TotalsTable<Key: Hashable & Sendable>: Sendable {
    /// One key's totals.
    public struct Entry: Sendable, Equatable {
        public let key: Key
        public internal(set) var counters = OpenCounters()
    }

    /// Every key with totals, in order of first appearance.
    public private(set) var all: [Entry] = []
    private var positions: [Key: Int32] = [:]

    public init() {}

    public var count: Int { all.count }

    /// The totals of `key`, if it has any.
    public subscript(key: Key) -> OpenCounters? {
        positions[key].map { all[Int($0)].counters }
    }

    /// The position of `key`'s totals, if it has any.
    func position(of key: Key) -> Int? {
        positions[key].map(Int.init)
    }

    /// The position of `key`'s totals, added (at zero) if it has none yet.
    mutating func position(adding key: Key) -> Int {
        if let position = positions[key] { return Int(position) }
        positions[key] = Int32(all.count)
        all.append(Entry(key: key))
        return all.count - 1
    }

    /// Changes the totals at `position` in place.
    mutating func update(at position: Int, _ body: (inout OpenCounters) -> Void) {
        body(&all[position].counters)
    }
}

/// Totals per comm, including every process ever seen under that comm.
public typealias CommTable = TotalsTable<String>

/// Totals per unit (`ServiceUnit`: a unit and its container id), `[other]` and `[unknown]`
/// included.
public typealias UnitTable = TotalsTable<ServiceUnit>

extension TotalsTable.Entry where Key == String {
    public var comm: String { key }
}

extension TotalsTable.Entry where Key == ServiceUnit {
    public var unit: ServiceUnit { key }
}

extension TotalsTable where Key == String {
    /// The text of a process's comm: the entry at `position` where the process counts there
    /// (`TrackedProcess.commPosition`, no decoding), else its `bytes` decoded.
    func comm(at position: Int32, else bytes: CommBytes) -> String {
        position >= 0 ? all[Int(position)].comm : bytes.text
    }
}

extension TotalsTable where Key == ServiceUnit {
    /// Units other than `[other]` and `[unknown]`: what `AggregatorSettings.maxUnits` bounds.
    public var namedCount: Int {
        count - (self[.other] == nil ? 0 : 1) - (self[.unknown] == nil ? 0 : 1)
    }
}
