import CLibbpf
#if canImport(Glibc)
import Glibc
#endif

/// A per-CPU array map (`BPF_MAP_TYPE_PERCPU_ARRAY`): each index holds one value per possible CPU,
/// so BPF programs update it without atomics. Reads return every CPU's value.
public struct BPFPerCPUArrayMap<Value: BitwiseCopyable>: Sendable {
    private let descriptor: BPFMapFileDescriptor

    /// The map's name in its object.
    public var name: String { descriptor.map.name }
    /// The number of indexes.
    public let count: Int
    /// The number of values per index: the possible CPUs (`libbpf_num_possible_cpus`).
    public let cpuCount: Int

    /// The kernel lays out one value per CPU, each rounded up to 8 bytes.
    private var slotSize: Int { (MemoryLayout<Value>.size + 7) & ~7 }

    /// Views a loaded map; throws `wrongMapType` or `wrongMapLayout` when it does not fit.
    public init(_ map: BPFMap) throws(BPFError) {
        try map.expect(.perCPUArray, keySize: 4, valueSize: MemoryLayout<Value>.size)
        let cpus = libbpf_num_possible_cpus()
        guard cpus > 0 else { throw BPFError.failed("libbpf_num_possible_cpus", returned: cpus) }
        descriptor = try BPFMapFileDescriptor(map)
        count = try map.maxEntries
        cpuCount = Int(cpus)
    }

    /// Every CPU's value at `index`, in CPU order (`bpf_map_lookup_elem`).
    public subscript(index: UInt32) -> [Value] {
        get throws(BPFError) {
            var key = index
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: slotSize * cpuCount, alignment: 8)
            defer { buffer.deallocate() }
            guard try descriptor.lookup(&key, into: buffer) else {
                throw BPFError.callFailed(operation: "bpf_map_lookup_elem(\(name))", errno: ENOENT)
            }
            return (0..<cpuCount).map { buffer.loadUnaligned(fromByteOffset: $0 * slotSize, as: Value.self) }
        }
    }

    /// Stores one value per CPU at `index` (`bpf_map_update_elem`); `values.count` must equal `cpuCount`.
    public func update(_ index: UInt32, _ values: [Value]) throws(BPFError) {
        guard values.count == cpuCount else {
            throw BPFError.callFailed(operation: "bpf_map_update_elem(\(name)) with \(values.count) of \(cpuCount) CPUs", errno: EINVAL)
        }
        var key = index
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: slotSize * cpuCount, alignment: 8)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: slotSize * cpuCount)
        for (cpu, value) in values.enumerated() {
            buffer.storeBytes(of: value, toByteOffset: cpu * slotSize, as: Value.self)
        }
        try descriptor.update(&key, buffer, flags: .any)
    }
}
