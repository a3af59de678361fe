public import BPF
import CFileOpend
public import FileOpenCore

/// A ring-buffer record of bpf/fileopend.bpf.c decoded into a `ProbeRecord`, read through the
/// very `struct fileopend_record` the program writes (bpf/fileopend.h). Rejects anything that
/// is not exactly a header plus `path_len` path bytes plus `resolved_len` resolved bytes, with a
/// resolution the program can write (resolved bytes exactly when resolved).
public struct DecodedProbeRecord: BPFRecordDecodable, Sendable {
    public let record: ProbeRecord

    /// The size of the fixed header; an exit record is exactly this long.
    /// (Computed, like `highestSyscall`, so that it folds to a constant: a stored static costs a
    /// swift_once call per use on the consumer's hot path.)
    public static var headerSize: Int { MemoryLayout<fileopend_record>.size }
    /// The highest `enum fileopend_syscall` value (they run from 0 without gaps; tested).
    private static var highestSyscall: UInt16 { OpenSyscall.openByHandleAt.rawValue }
    /// The highest `enum fileopend_resolution` value (they run from 0 without gaps; tested).
    private static var highestResolution: UInt16 { PathResolution.lexical.rawValue }

    /// A record checked as `init(bpfRecord:)` checks it but not decoded into strings: an open as
    /// a view of its bytes (what the consumer's hot path counts), an exit with its comm raw. Holds
    /// no reference, so handing one around costs no reference counting per record.
    public enum View {
        case open(OpenRecordView)
        case exit(ExitView)
        /// A v2 cgroup made or removed: not a `ProbeRecord` (nothing a `tail` shows); the
        /// consumer hands it to the aggregator.
        case cgroup(CgroupView)
    }

    /// A cgroup record read in place.
    public struct CgroupView {
        public var kind: CgroupChange.Kind
        public var id: UInt64
        /// The path's bytes, in the ring.
        public var path: UnsafeRawBufferPointer

        /// The change, its path decoded.
        public var change: CgroupChange {
            CgroupChange(kind, id: id, path: KernelString.decode(path))
        }
    }

    /// An exit record read in place.
    public struct ExitView {
        public var timestamp: UInt64
        public var process: ProcessIdentity
        public var comm: CommBytes
        public var exitCode: Int64
        /// The cgroup it exited in.
        public var cgroup: UInt64 = 0

        /// The exit as an event (decodes the comm).
        public var event: ProcessExitEvent {
            ProcessExitEvent(timestamp: timestamp, process: process, comm: comm.text, exitCode: exitCode)
        }
    }

    /// Decodes an open or exit record; a cgroup record is refused (see `View.cgroup`).
    public init(bpfRecord bytes: UnsafeRawBufferPointer) throws {
        self.init(try Self.eventView(of: bytes), of: bytes) { KernelString.decode($0) }
    }

    /// Decodes with `paths` remembering recent paths, so a path seen lately is not decoded (nor
    /// allocated) again.
    public init(bpfRecord bytes: UnsafeRawBufferPointer, paths: inout KernelStringCache) throws {
        self.init(try Self.eventView(of: bytes), of: bytes) { paths.decode($0) }
    }

    /// Decodes in full an open or exit record already checked and read in place by
    /// `view(of: bytes)`.
    /// - Precondition: `view` is not a `.cgroup`.
    public init(_ view: View, of bytes: UnsafeRawBufferPointer, paths: inout KernelStringCache) {
        self.init(view, of: bytes) { paths.decode($0) }
    }

    private static func eventView(of bytes: UnsafeRawBufferPointer) throws -> View {
        let view = try view(of: bytes)
        if case .cgroup = view { throw BPFRecordError.invalid(field: "kind", value: "a cgroup record is no event") }
        return view
    }

    private init(_ view: View, of bytes: UnsafeRawBufferPointer, path decodePath: (UnsafeRawBufferPointer) -> String) {
        switch view {
        case .open(let open):
            let header = bytes.loadUnaligned(as: fileopend_record.self)
            let flags = UInt32(header.record_flags)
            let passed = decodePath(open.path)
            var resolved = ""
            switch open.resolution {
            case .unresolved: break
            case .file: resolved = decodePath(open.resolved)
            case .lexical: resolved = LexicalPath.joined(directory: decodePath(open.resolved), name: passed)
            }
            record = .open(FileOpenEvent(
                timestamp: open.timestamp, process: open.process, tid: Int32(bitPattern: header.tid), uid: header.uid,
                // view(of:) has checked the syscall number.
                cgroupID: header.cgroup_id, syscall: OpenSyscall(rawValue: header.syscall)!, flags: open.flags,
                mode: header.mode, result: open.result, comm: open.comm.text, path: passed,
                pathTruncated: flags & FILEOPEND_PATH_TRUNCATED.rawValue != 0,
                pathUnreadable: flags & FILEOPEND_PATH_UNREADABLE.rawValue != 0,
                resolvedPath: resolved, resolution: open.resolution,
                resolvedTruncated: flags & FILEOPEND_RESOLVED_TRUNCATED.rawValue != 0,
                resolvedUnreachable: flags & FILEOPEND_RESOLVED_UNREACHABLE.rawValue != 0
            ))
        case .exit(let exit):
            record = .exit(exit.event)
        case .cgroup:
            preconditionFailure("a cgroup record decoded as an event")
        }
    }

    /// Checks `bytes` and reads the record in place (`OpenRecordView.path` points into `bytes`).
    /// Inlined into the consumer's loop: returned through memory, the view cost a stalled copy.
    @inline(__always)
    public static func view(of bytes: UnsafeRawBufferPointer) throws -> View {
        guard bytes.count >= headerSize else {
            throw BPFRecordError.truncated(field: "fileopend_record", offset: 0, needed: headerSize, recordSize: bytes.count)
        }
        let header = bytes.loadUnaligned(as: fileopend_record.self)
        let process = ProcessIdentity(pid: Int32(bitPattern: header.tgid), startTime: header.process_start_ns)
        let comm = withUnsafeBytes(of: header.comm) { comm in
            CommBytes(low: comm.loadUnaligned(as: UInt64.self), high: comm.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        }
        switch UInt32(header.kind) {
        case FILEOPEND_RECORD_OPEN.rawValue:
            let pathLength = Int(header.path_len)
            let resolvedLength = Int(header.resolved_len)
            guard pathLength <= Int(FILEOPEND_PATH_MAX), resolvedLength <= Int(FILEOPEND_PATH_MAX),
                  bytes.count == headerSize + pathLength + resolvedLength else {
                throw BPFRecordError.invalid(
                    field: "path_len", value: "\(pathLength) + resolved_len \(resolvedLength) in a record of "
                        + "\(bytes.count) bytes (header \(headerSize))"
                )
            }
            // Resolved bytes exactly when resolved: a range check, not PathResolution(rawValue:).
            guard header.resolution <= Self.highestResolution,
                  (header.resolution == 0) == (resolvedLength == 0) else {
                throw BPFRecordError.invalid(
                    field: "resolution", value: "\(header.resolution) with resolved_len \(resolvedLength)")
            }
            // A range check, not OpenSyscall(rawValue:): that is a call per record.
            guard header.syscall <= Self.highestSyscall else {
                throw BPFRecordError.invalid(field: "syscall", value: "\(header.syscall)")
            }
            return .open(OpenRecordView(
                timestamp: header.timestamp_ns, process: process, flags: OpenFlags(rawValue: header.open_flags),
                result: header.result, comm: comm, cgroup: header.cgroup_id,
                path: UnsafeRawBufferPointer(rebasing: bytes[headerSize..<headerSize + pathLength]),
                resolved: UnsafeRawBufferPointer(rebasing: bytes[(headerSize + pathLength)...]),
                // Checked above.
                resolution: PathResolution(rawValue: header.resolution).unsafelyUnwrapped
            ))
        case FILEOPEND_RECORD_EXIT.rawValue:
            guard bytes.count == headerSize, header.resolved_len == 0, header.resolution == 0 else {
                throw BPFRecordError.invalid(
                    field: "size", value: "\(bytes.count) for an exit record of \(headerSize) "
                        + "(resolved_len \(header.resolved_len), resolution \(header.resolution))")
            }
            return .exit(ExitView(
                timestamp: header.timestamp_ns, process: process, comm: comm, exitCode: header.result, cgroup: header.cgroup_id
            ))
        case FILEOPEND_RECORD_CGROUP_MKDIR.rawValue, FILEOPEND_RECORD_CGROUP_RMDIR.rawValue:
            let pathLength = Int(header.path_len)
            guard pathLength <= Int(FILEOPEND_PATH_MAX), bytes.count == headerSize + pathLength,
                  header.resolved_len == 0, header.resolution == 0 else {
                throw BPFRecordError.invalid(
                    field: "path_len", value: "\(pathLength) (resolved_len \(header.resolved_len)) in a cgroup record"
                        + " of \(bytes.count) bytes (header \(headerSize))"
                )
            }
            return .cgroup(CgroupView(
                kind: UInt32(header.kind) == FILEOPEND_RECORD_CGROUP_MKDIR.rawValue ? .made : .removed,
                id: header.cgroup_id, path: UnsafeRawBufferPointer(rebasing: bytes[headerSize...])
            ))
        default:
            throw BPFRecordError.invalid(field: "kind", value: "\(header.kind)")
        }
    }
}
