/// Why the kernel program lost a record; mirrors `enum fileopend_drop_reason` in bpf/fileopend.h.
public enum DropReason: Int, CaseIterable, Sendable, CustomStringConvertible {
    /// An open's record did not fit in the ring buffer (the open is still counted per process).
    case ringBufferFull = 0
    /// An open's arguments could not be parked between enter and exit (still counted per process).
    case pendingMapFull = 1
    /// A process-exit record did not fit in the ring buffer.
    case exitRingBufferFull = 2
    /// A lost open (or its errno) could not be charged to its process: the missed map was full,
    /// so it was charged to its comm instead (counted exactly per comm and under `pid="other"`).
    case missedMapFull = 3
    /// ... nor to its comm: the comm map was full too. Such an open is in no count but this one.
    case missedCommMapFull = 4
    /// A lost exit record found no room for its mark in the missed map either: the daemon's
    /// liveness check finds that exit instead.
    case exitUnmarked = 5
    /// A record of a v2 cgroup made or removed did not fit: opens in a cgroup made then may
    /// count under `unit="[unknown]"` (they are still counted).
    case cgroupRingBufferFull = 6

    /// The label used in output and metrics.
    public var description: String {
        switch self {
        case .ringBufferFull: "ring_buffer_full"
        case .pendingMapFull: "pending_map_full"
        case .exitRingBufferFull: "exit_ring_buffer_full"
        case .missedMapFull: "missed_map_full"
        case .missedCommMapFull: "missed_comm_map_full"
        case .exitUnmarked: "exit_unmarked"
        case .cgroupRingBufferFull: "cgroup_ring_buffer_full"
        }
    }

    /// Whether this reason counts an open that has no record (the others describe exits, or a
    /// second failure of an open already counted).
    public var losesOpenRecord: Bool { self == .ringBufferFull || self == .pendingMapFull }
}

/// The kernel program's drop counters, summed over CPUs.
public struct DropCounts: Sendable, Equatable {
    public private(set) var counts: [DropReason: UInt64] = [:]

    public init(_ counts: [DropReason: UInt64] = [:]) {
        self.counts = counts
    }

    public subscript(reason: DropReason) -> UInt64 {
        get { counts[reason, default: 0] }
        set { counts[reason] = newValue }
    }

    /// Opens that reached no record: what `received + droppedOpens == opens performed` needs.
    public var droppedOpens: UInt64 {
        DropReason.allCases.filter(\.losesOpenRecord).reduce(0) { $0 + self[$1] }
    }
}
