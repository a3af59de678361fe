/// pid → position in `ProcessTable.all`: open addressing with linear probing and Fibonacci
/// hashing, kept at most half full; a removal shifts the entries after it back, so there are no
/// tombstones. A lookup is a multiply, a shift and usually one probe: the consumer thread does
/// one per record, where `Dictionary`'s seeded SipHash cost about as much as the counting.
/// (Its pids come from the kernel, not from anyone who could aim collisions at it.)
struct PidIndex: Sendable {
    private struct Slot {
        var pid: Int32
        /// The process's position; negative marks an empty slot.
        var position: Int32
    }

    private static let empty = Slot(pid: 0, position: -1)
    private var slots = [Slot](repeating: PidIndex.empty, count: 16)
    /// 64 minus log2 of the slot count: the hash's top bits pick the slot.
    private var shift: UInt64 = 60
    private(set) var count = 0

    /// The pids indexed, in no particular order.
    var pids: [Int32] { slots.lazy.filter { $0.position >= 0 }.map(\.pid) }

    private func home(_ pid: Int32) -> Int {
        Int(truncatingIfNeeded: (UInt64(UInt32(bitPattern: pid)) &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// The slot that holds `pid` and its position, or the empty slot that ends its probe run
    /// (where it would go) and -1.
    private func find(_ pid: Int32) -> (slot: Int, position: Int32) {
        slots.withUnsafeBufferPointer { slots in
            let mask = slots.count - 1
            var index = home(pid)
            while slots[index].position >= 0, slots[index].pid != pid { index = (index + 1) & mask }
            return (index, slots[index].position)
        }
    }

    /// The position of `pid`, if indexed.
    func position(of pid: Int32) -> Int? {
        let position = find(pid).position
        return position >= 0 ? Int(position) : nil
    }

    /// Indexes `pid` at `position`, or moves it there.
    mutating func set(_ pid: Int32, position: Int) {
        if (count + 1) * 2 > slots.count { grow() }
        let (index, found) = find(pid)
        if found < 0 { count += 1 }
        slots[index] = Slot(pid: pid, position: Int32(position))
    }

    /// Forgets `pid`, if indexed.
    mutating func remove(_ pid: Int32) {
        let mask = slots.count - 1
        var (hole, found) = find(pid)
        guard found >= 0 else { return }
        // Move back every later entry of the run that the hole would cut off from its home slot.
        var next = hole
        while true {
            next = (next + 1) & mask
            guard slots[next].position >= 0 else { break }
            let wanted = home(slots[next].pid)
            let reachable = hole <= next ? (hole < wanted && wanted <= next) : (hole < wanted || wanted <= next)
            if !reachable {
                slots[hole] = slots[next]
                hole = next
            }
        }
        slots[hole] = Self.empty
        count -= 1
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Self.empty, count: old.count * 2)
        shift -= 1
        count = 0
        for slot in old where slot.position >= 0 { set(slot.pid, position: Int(slot.position)) }
    }
}
