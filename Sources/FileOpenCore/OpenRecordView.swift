/// An open record as the consumer's hot path counts it, read in place from the ring buffer: the
/// fixed fields, the comm's raw bytes and the path's bytes, nothing decoded into a `String`
/// (that happens only for what is new: a comm that changed, a path not among the process's top
/// paths). `path` points into the ring: valid only during the ring buffer callback.
public struct OpenRecordView {
    /// When the open returned, in nanoseconds since boot (CLOCK_BOOTTIME).
    public var timestamp: UInt64
    public var process: ProcessIdentity
    public var flags: OpenFlags
    /// The file descriptor, or `-errno` for a failed open.
    public var result: Int64
    public var comm: CommBytes
    /// The caller's v2 cgroup id at the open (its cgroupfs inode).
    public var cgroup: UInt64
    /// The path's bytes as passed (no NUL), in the ring.
    public var path: UnsafeRawBufferPointer
    /// The resolved path's bytes as the kernel wrote them (for `.lexical`, the directory's, to be
    /// joined with `path`), in the ring; empty when `.unresolved`.
    public var resolved: UnsafeRawBufferPointer
    public var resolution: PathResolution

    public init(
        timestamp: UInt64, process: ProcessIdentity, flags: OpenFlags, result: Int64, comm: CommBytes,
        cgroup: UInt64 = 0, path: UnsafeRawBufferPointer,
        resolved: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0),
        resolution: PathResolution = .unresolved
    ) {
        self.timestamp = timestamp
        self.process = process
        self.flags = flags
        self.result = result
        self.comm = comm
        self.cgroup = cgroup
        self.path = path
        self.resolved = resolved
        self.resolution = resolution
    }

    /// What top paths count the open under: the file it opened (its resolved path), for a
    /// failure the directory with the name as passed (not normalised: that would cost every
    /// failing open; two spellings of one missing file count apart) or an absolute name alone,
    /// unresolved the path as passed. One hash per record where it can be.
    @inlinable
    var pathKey: UInt64 {
        switch resolution {
        case .unresolved: ByteHash.of(path)
        case .file: ByteHash.of(resolved)
        case .lexical:
            path.count > 0 && path[0] == UInt8(ascii: "/")
                ? ByteHash.of(path) : (ByteHash.of(resolved) &* 0x9E37_79B9_7F4A_7C15) ^ ByteHash.of(path)
        }
    }

    /// The names of a new top-paths entry, the bytes decoded by `decode`.
    func pathName(_ decode: (UnsafeRawBufferPointer) -> String) -> TopPaths.Name {
        let passed = decode(path)
        switch resolution {
        case .unresolved: return TopPaths.Name(path: passed, passed: passed, resolution: .unresolved)
        case .file: return TopPaths.Name(path: decode(resolved), passed: passed, resolution: .file)
        case .lexical:
            let joined = LexicalPath.joined(directory: decode(resolved), name: passed)
            return TopPaths.Name(path: joined, passed: passed, resolution: .lexical)
        }
    }

    /// Whether `other` is the same open as far as any count can tell: same process, comm, cgroup,
    /// flags, result, path bytes and resolved path (its time may differ).
    @inlinable
    func repeats(_ other: OpenRecordView) -> Bool {
        guard process == other.process, comm == other.comm, cgroup == other.cgroup, flags == other.flags,
              result == other.result, resolution == other.resolution, path.count == other.path.count,
              resolved.count == other.resolved.count, Self.equal(resolved, other.resolved) else { return false }
        return Self.equal(path, other.path)
    }

    /// Whether two byte strings of the same length are equal.
    @inlinable
    static func equal(_ path: UnsafeRawBufferPointer, _ other: UnsafeRawBufferPointer) -> Bool {
        // Word by word: paths are short, and a call to memcmp costs more than the compare.
        let count = path.count
        guard count >= 8 else {
            var index = 0
            while index < count {
                guard path[index] == other[index] else { return false }
                index += 1
            }
            return true
        }
        var offset = 0
        while offset < count - 8 {
            guard path.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                == other.loadUnaligned(fromByteOffset: offset, as: UInt64.self) else { return false }
            offset += 8
        }
        // The last 8, overlapping.
        return path.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            == other.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
    }
}
