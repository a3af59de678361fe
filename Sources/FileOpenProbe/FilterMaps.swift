import BPF
import CFileOpend
import FileOpenCore

/// The kernel program's filter maps (`filter_uids`, `filter_comms`, `filter_units`,
/// `filter_cgroups`) and how a set of filters is written into them.
///
/// Every entry carries a generation; the settings map's `filters` word names the one in force.
/// A change fills the next generation while the old one stays in force, then switches the word
/// in one write (`FileOpenProgram.setFilters(_:)`), then deletes every other generation: each
/// open is judged by one whole set of rules, never by half of each.
struct FilterMaps: Sendable {
    private let uids: BPFHashMap<fileopend_uid_filter_key, UInt32>
    private let comms: BPFHashMap<fileopend_comm_filter_key, UInt32>
    private let units: BPFHashMap<fileopend_unit_filter_key, UInt32>
    private let cgroups: BPFHashMap<fileopend_cgroup_filter_key, UInt32>

    private typealias Names = BPFSkeleton.Fileopend

    init(_ object: BPFObject) throws(BPFError) {
        uids = try object.hashMap(named: Names.Map.filter_uids)
        comms = try object.hashMap(named: Names.Map.filter_comms)
        units = try object.hashMap(named: Names.Map.filter_units)
        cgroups = try object.hashMap(named: Names.Map.filter_cgroups)
    }

    /// The generations wrap at 2^24 (the settings word keeps 8 bits of flags below them).
    static func generation(after generation: UInt32) -> UInt32 {
        (generation &+ 1) & UInt32(FILEOPEND_FILTER_GENERATION_MASK)
    }

    /// The settings map's `filters` word for `filters` in `generation`: the kinds with rules.
    static func word(_ filters: OpenFilters, generation: UInt32) -> UInt32 {
        var flags: UInt32 = 0
        let bits: [(OpenFilters.Action, OpenFilters.Kind, fileopend_filter_flag)] = [
            (.include, .uid, FILEOPEND_FILTER_INCLUDE_UID), (.exclude, .uid, FILEOPEND_FILTER_EXCLUDE_UID),
            (.include, .comm, FILEOPEND_FILTER_INCLUDE_COMM), (.exclude, .comm, FILEOPEND_FILTER_EXCLUDE_COMM),
            (.include, .unit, FILEOPEND_FILTER_INCLUDE_UNIT), (.exclude, .unit, FILEOPEND_FILTER_EXCLUDE_UNIT),
        ]
        for (action, kind, bit) in bits where filters.has(action, kind) { flags |= bit.rawValue }
        if filters.failedOnly { flags |= FILEOPEND_FILTER_FAILED_ONLY.rawValue }
        // The generation even without rules: cgroups made meanwhile are marked for the next one.
        return flags | generation << FILEOPEND_FILTER_GENERATION_SHIFT
    }

    /// Writes `filters` as `generation`'s entries: the uids, comms and unit names, then a mark
    /// for every existing v2 cgroup in or under a named unit, each written before its children
    /// are listed (so a cgroup made meanwhile is marked by the kernel from its parent's mark).
    /// Returns how many cgroups were marked.
    @discardableResult
    func fill(_ filters: OpenFilters, generation: UInt32, hierarchy: CgroupHierarchy) throws(BPFError) -> Int {
        for rule in filters.rules {
            let match = Self.match(rule.action)
            switch rule.kind {
            case .uid:
                try uids.update(fileopend_uid_filter_key(uid: UInt32(rule.value) ?? 0, generation: generation), match)
            case .comm:
                var key = fileopend_comm_filter_key()
                key.generation = generation
                withUnsafeMutableBytes(of: &key.comm) { Self.copy(rule.value, into: $0) }
                try comms.update(key, match)
            case .unit:
                var key = fileopend_unit_filter_key()
                key.generation = generation
                withUnsafeMutableBytes(of: &key.name) { Self.copy(rule.value, into: $0) }
                try units.update(key, match)
            }
        }
        let included = Set(filters.values(.include, .unit)), excluded = Set(filters.values(.exclude, .unit))
        guard !included.isEmpty || !excluded.isEmpty else { return 0 }
        var marked = 0
        var failure: BPFError?
        hierarchy.walk { change in
            guard failure == nil else { return }
            var mark: UInt32 = 0
            for name in change.path.split(separator: "/") {
                if included.contains(String(name)) { mark |= FILEOPEND_MATCH_INCLUDED.rawValue }
                if excluded.contains(String(name)) { mark |= FILEOPEND_MATCH_EXCLUDED.rawValue }
            }
            guard mark != 0 else { return }
            do throws(BPFError) {
                let key = fileopend_cgroup_filter_key(cgroup_id: change.id, generation: generation, reserved: 0)
                try cgroups.update(key, mark)
                marked += 1
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return marked
    }

    /// Deletes every entry of a generation other than `generation`.
    func sweep(keeping generation: UInt32) throws(BPFError) {
        for key in try uids.keys() where key.generation != generation { try uids.delete(key) }
        for key in try comms.keys() where key.generation != generation { try comms.delete(key) }
        for key in try units.keys() where key.generation != generation { try units.delete(key) }
        for key in try cgroups.keys() where key.generation != generation { try cgroups.delete(key) }
    }

    private static func match(_ action: OpenFilters.Action) -> UInt32 {
        action == .include ? FILEOPEND_MATCH_INCLUDED.rawValue : FILEOPEND_MATCH_EXCLUDED.rawValue
    }

    /// `text`'s bytes at the start of `buffer`, which stays NUL-padded (the parser bounds the length).
    private static func copy(_ text: String, into buffer: UnsafeMutableRawBufferPointer) {
        for (index, byte) in text.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
    }
}
