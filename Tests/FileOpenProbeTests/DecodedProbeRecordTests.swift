import BPF
import CFileOpend
import FileOpenCore
import FileOpenProbe
import FileOpenTestSupport
import Testing

/// The decoder meets whatever bytes the ring holds: malformed, oversized and hostile records
/// must throw a clear error, never crash or read out of bounds.
@Suite("Record decoding")
struct DecodedProbeRecordTests {
    static func header(
        kind: UInt32 = FILEOPEND_RECORD_OPEN.rawValue, pathLength: Int = 0, syscall: UInt16 = 2, resolvedLength: Int = 0,
        resolution: UInt16 = 0
    ) -> fileopend_record {
        var record = fileopend_record()
        record.timestamp_ns = 1000
        record.process_start_ns = 2000
        record.cgroup_id = 3
        record.result = -2
        record.tgid = 4242
        record.tid = 4243
        record.uid = 1000
        record.open_flags = 0o2000000
        record.mode = 0o644
        record.kind = UInt16(kind)
        record.syscall = syscall
        record.path_len = UInt16(pathLength)
        record.resolved_len = UInt16(resolvedLength)
        record.resolution = resolution
        withUnsafeMutableBytes(of: &record.comm) { comm in
            for (index, byte) in "cat".utf8.enumerated() { comm[index] = byte }
        }
        return record
    }

    static func bytes(_ header: fileopend_record, path: [UInt8] = []) -> [UInt8] {
        withUnsafeBytes(of: header) { Array($0) } + path
    }

    static func decode(_ bytes: [UInt8]) throws -> ProbeRecord {
        try bytes.withUnsafeBytes { try DecodedProbeRecord(bpfRecord: $0).record }
    }

    @Test("A well-formed open record decodes every field")
    func openRecord() throws {
        let path = Array("/etc/hostname".utf8)
        let record = try Self.decode(Self.bytes(Self.header(pathLength: path.count), path: path))
        #expect(record == .open(FileOpenEvent(
            timestamp: 1000, process: ProcessIdentity(pid: 4242, startTime: 2000), tid: 4243, uid: 1000, cgroupID: 3,
            syscall: .openat, flags: OpenFlags(rawValue: 0o2000000), mode: 0o644, result: -2, comm: "cat",
            path: "/etc/hostname"
        )))
    }

    @Test("A resolved open: the file's path from the kernel, next to the path as passed, with its flags")
    func resolvedFileRecord() throws {
        let passed = Array("./hostname".utf8), resolved = Array("/etc/hostname".utf8)
        var header = Self.header(
            pathLength: passed.count, resolvedLength: resolved.count, resolution: UInt16(FILEOPEND_RESOLUTION_FILE.rawValue))
        header.record_flags = UInt16(FILEOPEND_RESOLVED_TRUNCATED.rawValue | FILEOPEND_RESOLVED_UNREACHABLE.rawValue)
        guard case .open(let event) = try Self.decode(Self.bytes(header, path: passed + resolved)) else {
            Issue.record("not an open")
            return
        }
        #expect(event.path == "./hostname")
        #expect(event.resolvedPath == "/etc/hostname")
        #expect(event.resolution == .file)
        #expect(event.resolvedTruncated && event.resolvedUnreachable && !event.pathTruncated)
    }

    @Test("A failed open's directory and name are joined and normalised in user space",
          arguments: [
            ("/srv/app", "../etc/./passwd", "/srv/etc/passwd"),
            ("/", "../../x", "/x"),
            ("/home/u", "/etc//shadow/", "/etc/shadow"),
            ("/home/u", "", "/home/u"),
          ])
    func lexicalRecord(directory: String, name: String, joined: String) throws {
        let header = Self.header(
            pathLength: name.utf8.count, resolvedLength: directory.utf8.count,
            resolution: UInt16(FILEOPEND_RESOLUTION_LEXICAL.rawValue))
        guard case .open(let event) = try Self.decode(Self.bytes(header, path: Array(name.utf8) + Array(directory.utf8)))
        else {
            Issue.record("not an open")
            return
        }
        #expect(event.path == name)
        #expect(event.resolvedPath == joined)
        #expect(event.resolution == .lexical)
    }

    @Test("Every resolution the program can write decodes (the decoder range-checks: no gaps allowed)")
    func everyResolution() throws {
        #expect(PathResolution.allCases.map(\.rawValue) == Array(0...PathResolution.lexical.rawValue))
        #expect(PathResolution.file.rawValue == UInt16(FILEOPEND_RESOLUTION_FILE.rawValue))
        #expect(PathResolution.lexical.rawValue == UInt16(FILEOPEND_RESOLUTION_LEXICAL.rawValue))
    }

    @Test("Flags in the record: truncated and unreadable paths")
    func recordFlags() throws {
        var header = Self.header(pathLength: 1)
        header.record_flags = UInt16(FILEOPEND_PATH_TRUNCATED.rawValue | FILEOPEND_PATH_UNREADABLE.rawValue)
        guard case .open(let event) = try Self.decode(Self.bytes(header, path: [0x61])) else { Issue.record("not an open"); return }
        #expect(event.pathTruncated && event.pathUnreadable)
    }

    @Test("An exit record is exactly a header")
    func exitRecord() throws {
        var header = Self.header(kind: FILEOPEND_RECORD_EXIT.rawValue)
        header.result = 256
        #expect(try Self.decode(Self.bytes(header)) == .exit(ProcessExitEvent(
            timestamp: 1000, process: ProcessIdentity(pid: 4242, startTime: 2000), comm: "cat", exitCode: 256
        )))
    }

    @Test("Malformed records throw a named error",
          arguments: [
              ("empty", [UInt8]()),
              ("one byte short of a header", Array(bytes(header()).dropLast())),
              ("path_len beyond the record", bytes(header(pathLength: 10), path: Array("abc".utf8))),
              ("bytes after the path", bytes(header(pathLength: 1), path: Array("ab".utf8))),
              ("path_len over the maximum", bytes(header(pathLength: 4096), path: Array(repeating: 0x61, count: 4096))),
              ("unknown kind", bytes(header(kind: 9))),
              ("kind zero", bytes(header(kind: 0))),
              ("unknown syscall", bytes(header(syscall: 77))),
              ("syscall one past the highest", bytes(header(syscall: 8))),
              ("exit record with a payload", bytes(header(kind: FILEOPEND_RECORD_EXIT.rawValue), path: [1, 2, 3])),
              ("resolved_len beyond the record", bytes(header(pathLength: 1, resolvedLength: 9, resolution: 1), path: [0x61, 0x2f])),
              ("bytes after the resolved path", bytes(header(pathLength: 1, resolvedLength: 1, resolution: 1), path: [0x61, 0x2f, 0x2f])),
              ("resolved_len over the maximum",
               bytes(header(resolvedLength: 4096, resolution: 1), path: Array(repeating: 0x2f, count: 4096))),
              ("lengths that wrap nothing: 4095 + 4095 short by one",
               bytes(header(pathLength: 4095, resolvedLength: 4095, resolution: 1), path: Array(repeating: 0x2f, count: 8189))),
              ("unknown resolution", bytes(header(pathLength: 1, resolvedLength: 1, resolution: 3), path: [0x61, 0x2f])),
              ("resolved without bytes", bytes(header(pathLength: 1, resolution: 1), path: [0x61])),
              ("bytes without a resolution", bytes(header(pathLength: 1, resolvedLength: 1), path: [0x61, 0x2f])),
              ("exit record with a resolved path",
               bytes(header(kind: FILEOPEND_RECORD_EXIT.rawValue, resolvedLength: 1, resolution: 1), path: [0x2f])),
              ("exit record with a resolution", bytes(header(kind: FILEOPEND_RECORD_EXIT.rawValue, resolution: 2))),
              ("cgroup record with a resolved path",
               bytes(header(kind: FILEOPEND_RECORD_CGROUP_MKDIR.rawValue, resolvedLength: 1, resolution: 1), path: [0x2f])),
          ])
    func malformed(name: String, bytes: [UInt8]) {
        #expect(throws: BPFRecordError.self, "\(name)") { _ = try Self.decode(bytes) }
    }

    @Test("Every syscall the program can report decodes (the decoder range-checks: no gaps allowed)")
    func everySyscall() throws {
        #expect(OpenSyscall.allCases.map(\.rawValue) == Array(0...OpenSyscall.openByHandleAt.rawValue), "open_by_handle_at is the highest")
        #expect([OpenSyscall.ioUringOpenat, .ioUringOpenat2, .openByHandleAt].map { UInt32($0.rawValue) } == [
            FILEOPEND_SYSCALL_IO_URING_OPENAT, FILEOPEND_SYSCALL_IO_URING_OPENAT2, FILEOPEND_SYSCALL_OPEN_BY_HANDLE_AT,
        ].map(\.rawValue), "as bpf/fileopend.h numbers them")
        for syscall in OpenSyscall.allCases {
            guard case .open(let event) = try Self.decode(Self.bytes(Self.header(syscall: syscall.rawValue))) else {
                Issue.record("not an open: \(syscall)")
                continue
            }
            #expect(event.syscall == syscall)
        }
    }

    @Test("Invalid UTF-8 and NULs in comm and path are escaped or cut, not trusted")
    func hostileText() throws {
        var header = Self.header(pathLength: 4)
        withUnsafeMutableBytes(of: &header.comm) { comm in
            for index in 0..<16 { comm[index] = 0xff }  // no NUL terminator at all
        }
        guard case .open(let event) = try Self.decode(Self.bytes(header, path: [0x2f, 0xc3, 0x00, 0x28])) else {
            Issue.record("not an open")
            return
        }
        #expect(event.comm == String(repeating: "\\xff", count: 16), "each invalid byte as \\xNN, no overrun")
        #expect(event.path == "/\\xc3", "a NUL ends the path, as it ends a C string")
    }

    @Test("Random bytes never crash the decoder (50 000 inputs, fixed seed)")
    func randomInput() {
        var generator = SplitMix64(seed: 0x5eed)
        let headerSize = DecodedProbeRecord.headerSize
        let kindOffset = MemoryLayout<fileopend_record>.offset(of: \fileopend_record.kind)!
        var decoded = 0
        for _ in 0..<50_000 {
            let length = Int(generator.next() % UInt64(headerSize + 64))
            var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            if length >= headerSize, generator.next() % 2 == 0 {
                // Make half of them plausible so the deeper checks run too.
                bytes[kindOffset] = UInt8(1 + generator.next() % 2)
                bytes[kindOffset + 1] = 0
            }
            if (try? Self.decode(bytes)) != nil { decoded += 1 }
        }
        #expect(decoded < 50_000)
    }
}
