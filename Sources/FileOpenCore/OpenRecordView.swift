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
    /// The path's bytes as passed (no NUL), in the ring.
    public var path: UnsafeRawBufferPointer

    public init(
        timestamp: UInt64, process: ProcessIdentity, flags: OpenFlags, result: Int64, comm: CommBytes,
        path: UnsafeRawBufferPointer
    ) {
        self.timestamp = timestamp
        self.process = process
        self.flags = flags
        self.result = result
        self.comm = comm
        self.path = path
    }
}
