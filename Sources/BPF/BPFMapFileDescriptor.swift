import CLibbpf
#if canImport(Glibc)
import Glibc
#endif

/// The element operations every keyed map shares, on a loaded map's descriptor
/// (`bpf_map_lookup_elem`, `bpf_map_update_elem`, `bpf_map_delete_elem`, `bpf_map_get_next_key`,
/// `bpf_map_lookup_batch`).
/// These are plain bpf(2) calls: safe from any thread, concurrently with the kernel's writers.
struct BPFMapFileDescriptor: Sendable {
    let map: BPFMap
    let fd: Int32

    init(_ map: BPFMap) throws(BPFError) {
        self.map = map
        self.fd = try map.fileDescriptor
    }

    /// Reads the value at `key` into `value`; false if there is none.
    func lookup(_ key: UnsafeRawPointer, into value: UnsafeMutableRawPointer) throws(BPFError) -> Bool {
        let result = bpf_map_lookup_elem(fd, key, value)
        if result == 0 { return true }
        if result == -ENOENT { return false }
        throw BPFError.failed("bpf_map_lookup_elem(\(map.name))", returned: result)
    }

    func update(_ key: UnsafeRawPointer, _ value: UnsafeRawPointer, flags: BPFUpdateFlags) throws(BPFError) {
        let result = bpf_map_update_elem(fd, key, value, flags.rawValue)
        guard result == 0 else { throw BPFError.failed("bpf_map_update_elem(\(map.name))", returned: result) }
    }

    /// Deletes the entry at `key`; false if there was none.
    func delete(_ key: UnsafeRawPointer) throws(BPFError) -> Bool {
        let result = bpf_map_delete_elem(fd, key)
        if result == 0 { return true }
        if result == -ENOENT { return false }
        throw BPFError.failed("bpf_map_delete_elem(\(map.name))", returned: result)
    }

    /// Reads up to `count` entries from the position `cursor` (nil: the start) into `keys` and
    /// `values` (`bpf_map_lookup_batch`), storing where to go on in `next`. Returns how many it
    /// read and whether the walk is over; ENOSPC means one bucket holds more than `count`.
    func lookupBatch(
        from cursor: UnsafeMutableRawPointer?, next: UnsafeMutableRawPointer,
        keys: UnsafeMutableRawPointer, values: UnsafeMutableRawPointer, count: Int
    ) throws(BPFError) -> (read: Int, finished: Bool) {
        var read = UInt32(count)
        var options = bpf_map_batch_opts()
        options.sz = MemoryLayout<bpf_map_batch_opts>.size
        let result = bpf_map_lookup_batch(fd, cursor, next, keys, values, &read, &options)
        if result == 0 { return (Int(read), false) }
        if result == -ENOENT { return (Int(read), true) }
        throw BPFError.failed("bpf_map_lookup_batch(\(map.name))", returned: result)
    }

    /// The key after `key` (the first key when `key` is nil); false at the end.
    func nextKey(after key: UnsafeRawPointer?, into next: UnsafeMutableRawPointer) throws(BPFError) -> Bool {
        let result = bpf_map_get_next_key(fd, key, next)
        if result == 0 { return true }
        if result == -ENOENT { return false }
        throw BPFError.failed("bpf_map_get_next_key(\(map.name))", returned: result)
    }
}

/// How `update` treats an existing or missing entry (`BPF_ANY`, `BPF_NOEXIST`, `BPF_EXIST`).
public struct BPFUpdateFlags: Sendable, Equatable {
    public let rawValue: UInt64

    /// Create or replace (`BPF_ANY`).
    public static let any = BPFUpdateFlags(rawValue: 0)
    /// Create only; fails with EEXIST if present (`BPF_NOEXIST`).
    public static let noExist = BPFUpdateFlags(rawValue: 1)
    /// Replace only; fails with ENOENT if absent (`BPF_EXIST`).
    public static let exist = BPFUpdateFlags(rawValue: 2)
}
