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

    public init(
        timestamp: UInt64, process: ProcessIdentity, flags: OpenFlags, result: Int64, comm: CommBytes,
        cgroup: UInt64 = 0, path: UnsafeRawBufferPointer
    ) {
        self.timestamp = timestamp
        self.process = process
        self.flags = flags
        self.result = result
        self.comm = comm
        self.cgroup = cgroup
        self.path = path
    }

    /// Whether `other` is the same open as far as any count can tell: same process, comm, cgroup,
    /// flags, result and path bytes (its time may differ).
    @inlinable
    func repeats(_ other: OpenRecordView) -> Bool {
        guard process == other.process, comm == other.comm, cgroup == other.cgroup, flags == other.flags,
              result == other.result, path.count == other.path.count else { return false }
        // Word by word: paths are short, and a call to memcmp costs more than the compare.
        let count = path.count
        guard count >= 8 else { return path.elementsEqual(other.path) }
        var offset = 0
        while offset < count - 8 {
            guard path.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                == other.path.loadUnaligned(fromByteOffset: offset, as: UInt64.self) else { return false }
            offset += 8
        }
        // The last 8, overlapping.
        return path.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            == other.path.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
    }
}
