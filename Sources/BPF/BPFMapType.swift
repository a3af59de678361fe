/// A kernel map type (`enum bpf_map_type`), named as `bpftool` names it.
public struct BPFMapType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// `BPF_MAP_TYPE_HASH`
    public static let hash = BPFMapType(rawValue: 1)
    /// `BPF_MAP_TYPE_ARRAY`
    public static let array = BPFMapType(rawValue: 2)
    /// `BPF_MAP_TYPE_PERCPU_HASH`
    public static let perCPUHash = BPFMapType(rawValue: 5)
    /// `BPF_MAP_TYPE_PERCPU_ARRAY`
    public static let perCPUArray = BPFMapType(rawValue: 6)
    /// `BPF_MAP_TYPE_LRU_HASH`
    public static let lruHash = BPFMapType(rawValue: 9)
    /// `BPF_MAP_TYPE_RINGBUF`
    public static let ringBuffer = BPFMapType(rawValue: 27)

    public var description: String {
        switch self {
        case .hash: "hash"
        case .array: "array"
        case .perCPUHash: "percpu_hash"
        case .perCPUArray: "percpu_array"
        case .lruHash: "lru_hash"
        case .ringBuffer: "ringbuf"
        default: "type \(rawValue)"
        }
    }
}
