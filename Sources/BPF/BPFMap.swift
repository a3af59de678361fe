import CLibbpf

/// One map of a `BPFObject` (`struct bpf_map`), untyped: its shape, its size before load, and
/// its file descriptor after. Use the typed views (`BPFHashMap`, `BPFArrayMap`,
/// `BPFPerCPUArrayMap`, `RingBuffer`) to read and write it.
public struct BPFMap: Sendable {
    /// The object that owns the map; kept alive by this value.
    public let object: BPFObject
    /// The map's name in the object.
    public let name: String
    /// The map type (`bpf_map__type`).
    public let type: BPFMapType
    /// Key size in bytes (`bpf_map__key_size`); 0 for ring buffers.
    public let keySize: Int
    /// Value size in bytes (`bpf_map__value_size`); 0 for ring buffers.
    public let valueSize: Int

    init(object: BPFObject, name: String, map: OpaquePointer) {
        self.object = object
        self.name = name
        self.type = BPFMapType(rawValue: bpf_map__type(map).rawValue)
        self.keySize = Int(bpf_map__key_size(map))
        self.valueSize = Int(bpf_map__value_size(map))
    }

    /// The number of entries (for a ring buffer: its size in bytes), as it will be or was created
    /// (`bpf_map__max_entries`).
    public var maxEntries: Int {
        get throws(BPFError) {
            try withMap("bpf_map__max_entries") { Int(bpf_map__max_entries($0)) }
        }
    }

    /// Changes the number of entries before load (`bpf_map__set_max_entries`). A ring buffer's
    /// size must be a power of two and a multiple of the page size.
    public func setMaxEntries(_ count: Int) throws(BPFError) {
        try withMap("bpf_map__set_max_entries(\(name))", requiring: .unloaded) { (map: OpaquePointer) throws(BPFError) in
            let result = bpf_map__set_max_entries(map, UInt32(clamping: count))
            guard result == 0 else { throw BPFError.failed("bpf_map__set_max_entries(\(name))", returned: result) }
        }
    }

    /// The map's file descriptor once loaded (`bpf_map__fd`), owned by the object.
    public var fileDescriptor: Int32 {
        get throws(BPFError) {
            try withMap("bpf_map__fd(\(name))", requiring: .loaded) { bpf_map__fd($0) }
        }
    }

    /// Checks the map type and, for keyed maps, the sizes against Swift types.
    func expect(_ expected: BPFMapType, keySize expectedKey: Int, valueSize expectedValue: Int) throws(BPFError) {
        guard type == expected else { throw BPFError.wrongMapType(name: name, expected: expected, actual: type) }
        guard keySize == expectedKey, valueSize == expectedValue else {
            throw BPFError.wrongMapLayout(
                name: name, keySize: keySize, valueSize: valueSize,
                expectedKeySize: expectedKey, expectedValueSize: expectedValue
            )
        }
    }

    private func withMap<Result>(
        _ operation: String, requiring requirement: BPFObject.LoadRequirement = .any,
        _ body: (OpaquePointer) throws(BPFError) -> sending Result
    ) throws(BPFError) -> sending Result {
        try object.withObject(operation, requiring: requirement) { (object: OpaquePointer) throws(BPFError) -> Result in
            guard let map = bpf_object__find_map_by_name(object, name) else {
                throw BPFError.mapNotFound(name: name, available: [])
            }
            return try body(map)
        }
    }
}
