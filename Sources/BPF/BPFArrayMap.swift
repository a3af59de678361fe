#if canImport(Glibc)
import Glibc
#endif

/// An array map (`BPF_MAP_TYPE_ARRAY`): `maxEntries` values indexed from 0, all present,
/// zero-initialized by the kernel.
public struct BPFArrayMap<Value: BitwiseCopyable>: Sendable {
    private let descriptor: BPFMapFileDescriptor

    /// The map's name in its object.
    public var name: String { descriptor.map.name }
    /// The number of elements.
    public let count: Int

    /// Views a loaded map; throws `wrongMapType` or `wrongMapLayout` when it does not fit.
    public init(_ map: BPFMap) throws(BPFError) {
        try map.expect(.array, keySize: 4, valueSize: MemoryLayout<Value>.size)
        descriptor = try BPFMapFileDescriptor(map)
        count = try map.maxEntries
    }

    /// The value at `index` (`bpf_map_lookup_elem`); an index past the end throws ENOENT.
    public subscript(index: UInt32) -> Value {
        get throws(BPFError) {
            var key = index
            let value = try readValue(of: Value.self) { (value: UnsafeMutableRawPointer) throws(BPFError) -> Bool in
                try descriptor.lookup(&key, into: value)
            }
            guard let value else { throw BPFError.callFailed(operation: "bpf_map_lookup_elem(\(name))", errno: ENOENT) }
            return value
        }
    }

    /// Stores `value` at `index` (`bpf_map_update_elem`).
    public func update(_ index: UInt32, _ value: Value) throws(BPFError) {
        var key = index
        try withUnsafeBytes(of: value) { (value: UnsafeRawBufferPointer) throws(BPFError) in
            try descriptor.update(&key, value.baseAddress!, flags: .any)
        }
    }
}
