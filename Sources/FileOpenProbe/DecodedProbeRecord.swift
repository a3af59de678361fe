public import BPF
import CFileOpend
public import FileOpenCore

/// A ring-buffer record of bpf/fileopend.bpf.c decoded into a `ProbeRecord`, read through the
/// very `struct fileopend_record` the program writes (bpf/fileopend.h). Rejects anything that
/// is not exactly a header plus `path_len` path bytes.
public struct DecodedProbeRecord: BPFRecordDecodable, Sendable {
    public let record: ProbeRecord

    /// The size of the fixed header; an exit record is exactly this long.
    public static let headerSize = MemoryLayout<fileopend_record>.size

    public init(bpfRecord bytes: UnsafeRawBufferPointer) throws {
        try self.init(bpfRecord: bytes) { KernelString.decode($0) }
    }

    /// Decodes with `paths` remembering recent paths, so a path seen lately is not decoded (nor
    /// allocated) again: what the consumer thread does.
    public init(bpfRecord bytes: UnsafeRawBufferPointer, paths: inout KernelStringCache) throws {
        try self.init(bpfRecord: bytes) { paths.decode($0) }
    }

    private init(bpfRecord bytes: UnsafeRawBufferPointer, path decodePath: (UnsafeRawBufferPointer) -> String) throws {
        let headerSize = Self.headerSize
        guard bytes.count >= headerSize else {
            throw BPFRecordError.truncated(field: "fileopend_record", offset: 0, needed: headerSize, recordSize: bytes.count)
        }
        let header = bytes.loadUnaligned(as: fileopend_record.self)
        let process = ProcessIdentity(pid: Int32(bitPattern: header.tgid), startTime: header.process_start_ns)
        let comm = withUnsafeBytes(of: header.comm) { KernelString.decode($0) }

        switch UInt32(header.kind) {
        case FILEOPEND_RECORD_OPEN.rawValue:
            let pathLength = Int(header.path_len)
            guard pathLength <= Int(FILEOPEND_PATH_MAX), bytes.count == headerSize + pathLength else {
                throw BPFRecordError.invalid(
                    field: "path_len", value: "\(pathLength) in a record of \(bytes.count) bytes (header \(headerSize))"
                )
            }
            guard let syscall = OpenSyscall(rawValue: header.syscall) else {
                throw BPFRecordError.invalid(field: "syscall", value: "\(header.syscall)")
            }
            let path = decodePath(UnsafeRawBufferPointer(rebasing: bytes[headerSize...]))
            let flags = UInt32(header.record_flags)
            record = .open(FileOpenEvent(
                timestamp: header.timestamp_ns, process: process, tid: Int32(bitPattern: header.tid), uid: header.uid,
                cgroupID: header.cgroup_id, syscall: syscall, flags: OpenFlags(rawValue: header.open_flags),
                mode: header.mode, result: header.result, comm: comm, path: path,
                pathTruncated: flags & FILEOPEND_PATH_TRUNCATED.rawValue != 0,
                pathUnreadable: flags & FILEOPEND_PATH_UNREADABLE.rawValue != 0
            ))
        case FILEOPEND_RECORD_EXIT.rawValue:
            guard bytes.count == headerSize else {
                throw BPFRecordError.invalid(field: "size", value: "\(bytes.count) for an exit record of \(headerSize)")
            }
            record = .exit(ProcessExitEvent(
                timestamp: header.timestamp_ns, process: process, comm: comm, exitCode: header.result
            ))
        default:
            throw BPFRecordError.invalid(field: "kind", value: "\(header.kind)")
        }
    }
}
