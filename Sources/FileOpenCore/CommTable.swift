/// Totals per comm: a dense array and a comm → position index. A comm's position never changes
/// (comms are never removed: their totals must not go backwards), so a tracked process remembers
/// the position of its comm and counts there without hashing the comm again: on the consumer
/// thread that hash was a tenth of the time per record.
public struct CommTable: Sendable {
    /// One comm's totals.
    public struct Entry: Sendable, Equatable {
        public let comm: String
        public internal(set) var counters = OpenCounters()
    }

    /// Every comm with totals, in order of first appearance.
    public private(set) var all: [Entry] = []
    private var positions: [String: Int32] = [:]

    public init() {}

    public var count: Int { all.count }

    /// The totals of `comm`, if it has any.
    public subscript(comm: String) -> OpenCounters? {
        positions[comm].map { all[Int($0)].counters }
    }

    /// The position of `comm`'s totals, if it has any.
    func position(of comm: String) -> Int? {
        positions[comm].map(Int.init)
    }

    /// The position of `comm`'s totals, added (at zero) if it has none yet.
    mutating func position(adding comm: String) -> Int {
        if let position = positions[comm] { return Int(position) }
        positions[comm] = Int32(all.count)
        all.append(Entry(comm: comm))
        return all.count - 1
    }

    /// The text of a process's comm: the entry at `position` where the process counts there
    /// (`TrackedProcess.commPosition`, no decoding), else its `bytes` decoded.
    func comm(at position: Int32, else bytes: CommBytes) -> String {
        position >= 0 ? all[Int(position)].comm : bytes.text
    }

    /// Changes the totals at `position` in place.
    mutating func update(at position: Int, _ body: (inout OpenCounters) -> Void) {
        body(&all[position].counters)
    }
}
