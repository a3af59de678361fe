/// The v2 cgroups known by id (the cgroupfs inode, what the kernel program reports), each with
/// the unit its path names. A cgroup is learned when it is made (the program's `cgroup_mkdir`
/// record) or by the walk of the hierarchy at start, and stays known after it is removed until
/// every count made in it has been attributed (`Aggregator` forgets it two folds of the kernel's
/// counts after its removal), so a cgroup that lived for less than a drain interval is named.
/// Bounded by the cgroups alive, plus those removed in the last two seconds.
public struct CgroupTable: Sendable {
    struct Entry: Sendable {
        /// Nil when the path names no unit (not a cgroup path): its opens count as `[unknown]`.
        var unit: ServiceUnit?
        /// Where its unit's totals are in `UnitTable` (-1: look it up; only a unit's own totals
        /// are remembered, so opens over the unit cap are each counted as overflowed).
        var position: Int32 = -1
        /// The fold of the kernel's counts current when it was removed (`UInt64.max`: alive).
        var removedAtFold = UInt64.max
    }

    private var entries: [UInt64: Entry] = [:]

    public init() {}

    /// How many cgroups are known (removed ones not yet forgotten included).
    public var count: Int { entries.count }

    /// The unit of cgroup `id`, if it is known and its path names one.
    public func unit(of id: UInt64) -> ServiceUnit? {
        entries[id]?.unit
    }

    func entry(_ id: UInt64) -> Entry? {
        entries[id]
    }

    /// Learns the cgroup `id` at `path`, unless it is known already (ids are not reused, and a
    /// walk of the hierarchy must not revive one removed meanwhile).
    mutating func learn(_ id: UInt64, path: String) {
        guard entries[id] == nil else { return }
        entries[id] = Entry(unit: ServiceUnit(cgroupPath: path))
    }

    /// Notes that cgroup `id` was removed during fold `fold`.
    mutating func removed(_ id: UInt64, atFold fold: UInt64) {
        entries[id]?.removedAtFold = fold
    }

    /// Remembers where cgroup `id`'s unit counts.
    mutating func remember(_ id: UInt64, position: Int) {
        entries[id]?.position = Int32(position)
    }

    /// Forgets cgroups removed before fold `fold`; returns how many.
    mutating func forget(removedBefore fold: UInt64) -> Int {
        let before = entries.count
        entries = entries.filter { $0.value.removedAtFold == .max || $0.value.removedAtFold >= fold }
        return before - entries.count
    }

    /// Forgets every remembered position (the unit cap changed).
    mutating func forgetPositions() {
        for id in entries.keys { entries[id]?.position = -1 }
    }
}
