/// The tracked processes: a dense array, in no particular order, a pid → position index
/// (`PidIndex`), and the list of those that keep top paths.
/// A dictionary of processes would keep each large value in a hash bucket, with a quarter to
/// half of the buckets empty but still resident, scattered over memory; the dense array keeps a
/// process in one contiguous slot, so a scrape walks memory in order and a snapshot's copy is one
/// block. Removal moves the last process into the hole (O(1)), so order is not kept.
public struct ProcessTable: Sendable {
    /// Every tracked process, densely packed.
    public private(set) var all: [TrackedProcess] = []
    /// Where each pid's process is in `all`.
    private var positions = PidIndex()
    /// Changes whenever a process may have moved or had its top paths rewritten (everything but
    /// `update(at:)`), so that a remembered position can tell it is stale.
    private(set) var generation: UInt64 = 0
    /// The pids of the processes that keep top paths (non-empty `topPaths`), in no particular
    /// order; each one's `topPathsSlot` is its place here. It lets the aggregator find the least
    /// recently active of them without walking every process.
    private(set) var topPathsHolders: [Int32] = []

    public init() {}

    public var count: Int { all.count }
    /// How many processes keep top paths.
    public var topPathsProcessCount: Int { topPathsHolders.count }
    /// The pids tracked.
    public var pids: [Int32] { positions.pids }

    /// The process tracked under `pid`, if any.
    public subscript(pid: Int32) -> TrackedProcess? {
        positions.position(of: pid).map { all[$0] }
    }

    /// The position of `pid`'s process in `all`.
    func position(of pid: Int32) -> Int? {
        positions.position(of: pid)
    }

    /// Changes the process at `position` in place; a change that starts its top paths must be
    /// followed by `joinTopPathsHolders(at:)` (checking here would cost every record).
    mutating func update(at position: Int, _ body: (inout TrackedProcess) -> Void) {
        body(&all[position])
    }

    /// Changes every process in place; it may clear top paths (a reset), not start them.
    mutating func updateAll(_ body: (inout TrackedProcess) -> Void) {
        generation &+= 1
        for position in all.indices {
            body(&all[position])
            if all[position].topPaths.isEmpty { leaveTopPathsHolders(at: position) }
        }
    }

    /// Forgets the top paths of `pid`'s process, if tracked.
    mutating func dropTopPaths(pid: Int32) {
        guard let position = positions.position(of: pid) else { return }
        generation &+= 1
        all[position].topPaths = TopPaths()
        leaveTopPathsHolders(at: position)
    }

    /// Adds the process at `position`, whose top paths have just started, to `topPathsHolders`.
    mutating func joinTopPathsHolders(at position: Int) {
        guard all[position].topPathsSlot < 0 else { return }
        all[position].topPathsSlot = Int32(topPathsHolders.count)
        topPathsHolders.append(all[position].identity.pid)
    }

    /// Takes the process at `position` out of `topPathsHolders`, if it is there.
    private mutating func leaveTopPathsHolders(at position: Int) {
        let slot = Int(all[position].topPathsSlot)
        guard slot >= 0 else { return }
        all[position].topPathsSlot = -1
        let last = topPathsHolders.removeLast()
        if slot < topPathsHolders.count {
            topPathsHolders[slot] = last
            all[positions.position(of: last)!].topPathsSlot = Int32(slot)
        }
    }

    /// Adds a process whose pid is not tracked.
    mutating func insert(_ process: TrackedProcess) {
        precondition(positions.position(of: process.identity.pid) == nil, "pid \(process.identity.pid) is tracked already")
        generation &+= 1
        positions.set(process.identity.pid, position: all.count)
        all.append(process)
        if !process.topPaths.isEmpty { joinTopPathsHolders(at: all.count - 1) }
    }

    /// Removes and returns the process at `position`.
    @discardableResult
    mutating func remove(at position: Int) -> TrackedProcess {
        generation &+= 1
        leaveTopPathsHolders(at: position)
        let removed = all[position]
        positions.remove(removed.identity.pid)
        let last = all.count - 1
        if position != last {
            all.swapAt(position, last)
            positions.set(all[position].identity.pid, position: position)
        }
        all.removeLast()
        return removed
    }

    /// Removes and returns `pid`'s process, if tracked.
    @discardableResult
    mutating func remove(pid: Int32) -> TrackedProcess? {
        position(of: pid).map { remove(at: $0) }
    }

    /// Removes every process that `shouldRemove` picks; returns how many went.
    mutating func removeAll(where shouldRemove: (TrackedProcess) -> Bool) -> Int {
        var removed = 0
        var position = 0
        while position < all.count {
            if shouldRemove(all[position]) {
                remove(at: position)  // the last one moved here: look at this position again
                removed += 1
            } else {
                position += 1
            }
        }
        return removed
    }
}
