#if canImport(Glibc)
import Glibc
#endif

/// A hash map (`BPF_MAP_TYPE_HASH` or `LRU_HASH`) viewed with Swift key and value types whose
/// sizes match the map's. Lookups and updates are bpf(2) calls on the map's descriptor.
public struct BPFHashMap<Key: BitwiseCopyable, Value: BitwiseCopyable>: Sendable {
    private let descriptor: BPFMapFileDescriptor

    /// The map's name in its object.
    public var name: String { descriptor.map.name }

    /// Views a loaded map; throws `wrongMapType` or `wrongMapLayout` when it does not fit.
    public init(_ map: BPFMap) throws(BPFError) {
        let type = map.type == .lruHash ? BPFMapType.lruHash : .hash
        try map.expect(type, keySize: MemoryLayout<Key>.size, valueSize: MemoryLayout<Value>.size)
        descriptor = try BPFMapFileDescriptor(map)
    }

    /// The value at `key`, or nil (`bpf_map_lookup_elem`).
    public func lookup(_ key: Key) throws(BPFError) -> Value? {
        try withUnsafeBytes(of: key) { (key: UnsafeRawBufferPointer) throws(BPFError) -> Value? in
            try readValue(of: Value.self) { (value: UnsafeMutableRawPointer) throws(BPFError) -> Bool in
                try descriptor.lookup(key.baseAddress!, into: value)
            }
        }
    }

    /// Stores `value` at `key` (`bpf_map_update_elem`).
    public func update(_ key: Key, _ value: Value, flags: BPFUpdateFlags = .any) throws(BPFError) {
        try withUnsafeBytes(of: key) { (key: UnsafeRawBufferPointer) throws(BPFError) in
            try withUnsafeBytes(of: value) { (value: UnsafeRawBufferPointer) throws(BPFError) in
                try descriptor.update(key.baseAddress!, value.baseAddress!, flags: flags)
            }
        }
    }

    /// Removes `key`; false if it was absent (`bpf_map_delete_elem`).
    @discardableResult
    public func delete(_ key: Key) throws(BPFError) -> Bool {
        try withUnsafeBytes(of: key) { (key: UnsafeRawBufferPointer) throws(BPFError) -> Bool in
            try descriptor.delete(key.baseAddress!)
        }
    }

    /// Every key present now (`bpf_map_get_next_key`). Entries added or removed meanwhile by the
    /// kernel may or may not appear.
    public func keys() throws(BPFError) -> [Key] {
        var keys: [Key] = []
        var previous: Key?
        while let next = try nextKey(after: previous) {
            keys.append(next)
            previous = next
        }
        return keys
    }

    /// Every entry present now, read a batch of buckets per call (`bpf_map_lookup_batch`): a few
    /// system calls for a map of thousands of entries, where a walk takes two per entry. Entries
    /// added or removed meanwhile by the kernel may or may not appear; each appears at most once.
    public func entries() throws(BPFError) -> [(key: Key, value: Value)] {
        var entries: [(key: Key, value: Value)] = []
        var capacity = 1024
        // The kernel's cursor for a hash map is a bucket index (u32); nil starts the walk.
        var cursor: UInt32 = 0
        var next: UInt32 = 0
        var started = false
        while true {
            let keys = UnsafeMutablePointer<Key>.allocate(capacity: capacity)
            let values = UnsafeMutablePointer<Value>.allocate(capacity: capacity)
            defer {
                keys.deallocate()
                values.deallocate()
            }
            let batch: (read: Int, finished: Bool)
            do {
                batch = try withUnsafeMutableBytes(of: &next) { (next: UnsafeMutableRawBufferPointer) throws(BPFError) in
                    try withUnsafeMutableBytes(of: &cursor) { (cursor: UnsafeMutableRawBufferPointer) throws(BPFError) in
                        try descriptor.lookupBatch(
                            from: started ? cursor.baseAddress : nil, next: next.baseAddress!,
                            keys: UnsafeMutableRawPointer(keys), values: UnsafeMutableRawPointer(values), count: capacity
                        )
                    }
                }
            } catch where error.errno == ENOSPC {
                capacity *= 4  // one bucket holds more entries than the buffer: retry it larger
                continue
            }
            for index in 0..<batch.read { entries.append((keys[index], values[index])) }
            if batch.finished { return entries }
            cursor = next
            started = true
        }
    }

    private func nextKey(after previous: Key?) throws(BPFError) -> Key? {
        try readValue(of: Key.self) { (next: UnsafeMutableRawPointer) throws(BPFError) -> Bool in
            guard let previous else { return try descriptor.nextKey(after: nil, into: next) }
            return try withUnsafeBytes(of: previous) { (previous: UnsafeRawBufferPointer) throws(BPFError) -> Bool in
                try descriptor.nextKey(after: previous.baseAddress!, into: next)
            }
        }
    }
}

/// Fills a `T` through `body`, which returns false when there is nothing to read.
func readValue<T: BitwiseCopyable>(
    of type: T.Type, _ body: (UnsafeMutableRawPointer) throws(BPFError) -> Bool
) throws(BPFError) -> T? {
    let buffer = UnsafeMutableRawPointer.allocate(
        byteCount: max(MemoryLayout<T>.size, 1), alignment: MemoryLayout<T>.alignment
    )
    defer { buffer.deallocate() }
    guard try body(buffer) else { return nil }
    return buffer.load(as: T.self)
}
