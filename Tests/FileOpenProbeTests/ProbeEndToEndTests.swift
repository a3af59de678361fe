import CTestSupport
import FileOpenCore
import FileOpenProbe
import FileOpenTestSupport
import Foundation
import Testing

/// Real opens through each system call, observed by the real probe on this kernel.
@Suite(
    "File opens end to end",
    .serialized,
    .enabled(if: TestEnvironment.canRunKernelTests, Comment(rawValue: TestEnvironment.kernelTestsSkipReason))
)
struct ProbeEndToEndTests {
    static let count = 25
    /// do_sys_open adds O_LARGEFILE on 64-bit before kprobe/fentry see the flags; tracepoints see
    /// the caller's flags as passed.
    static let largeFile: UInt32 = 0o100000

    @Test("N opens through each syscall give exactly N records with tgid, tid, comm, flags and fd",
          arguments: [CTS_OPEN, CTS_OPENAT, CTS_OPENAT2, CTS_CREAT])
    func exactRecordsPerSyscall(call: cts_open_call) throws {
        let directory = try TestEnvironment.makeScratchDirectory("syscall")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("target-\(call.rawValue)").path
        _ = FileManager.default.createFile(atPath: path, contents: Data("x".utf8))
        let harness = try ProbeHarness()
        defer { harness.close() }

        let comm = uniqueComm("fo-sys")
        let flags: Int32 = call == CTS_CREAT ? O_CREAT | O_WRONLY | O_TRUNC : O_RDONLY | O_CLOEXEC
        let mode: UInt32 = call == CTS_CREAT ? 0o600 : 0
        let (results, tid) = onFreshThread(comm: comm) {
            (0..<Self.count).map { _ in cts_open_with(call, path, flags, mode) }
        }
        #expect(results.allSatisfy { $0 >= 0 }, "every open succeeded: \(results)")
        #expect(harness.flush(marker: directory.appendingPathComponent("marker").path))

        let events = harness.opens { $0.path == path }
        #expect(events.count == Self.count)
        #expect(events.map(\.result) == results.map(Int64.init), "fds in call order")
        for event in events {
            #expect(event.process.pid == getpid())
            #expect(event.tid == tid)
            #expect(event.tid != getpid(), "a fresh thread, not the main thread")
            #expect(event.comm == comm)
            #expect(event.uid == getuid())
            #expect(event.flags.rawValue & ~Self.largeFile == UInt32(bitPattern: flags))
            #expect(event.mode == mode)
            #expect(!event.pathTruncated && !event.pathUnreadable)
            if harness.probe.mode == .tracepoint {
                #expect(event.syscall == OpenSyscall(rawValue: UInt16(call.rawValue)))
            }
        }
    }

    @Test("Failed opens: ENOENT, and EACCES for a non-root user, each exactly N with the errno")
    func failedOpens() throws {
        let directory = try TestEnvironment.makeScratchDirectory("errno")
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("does-not-exist").path
        let secret = directory.appendingPathComponent("root-only").path
        _ = FileManager.default.createFile(atPath: secret, contents: Data("s".utf8), attributes: [.posixPermissions: 0o600])
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        let harness = try ProbeHarness()
        defer { harness.close() }

        let missingResults = onFreshThread(comm: uniqueComm("fo-enoent")) {
            (0..<Self.count).map { _ in cts_open_with(CTS_OPENAT, missing, O_RDONLY, 0) }
        }.value
        let nobody: UInt32 = 65534
        let deniedResults = onFreshThread(comm: uniqueComm("fo-eacces")) {
            // Only this thread becomes nobody; it loses its capabilities and ends after the opens.
            guard cts_set_thread_credentials(nobody, nobody) == 0 else { return [Int]() }
            return (0..<Self.count).map { _ in Int(cts_open_with(CTS_OPENAT, secret, O_RDONLY, 0)) }
        }.value
        #expect(missingResults.allSatisfy { $0 == -Int(ENOENT) })
        #expect(deniedResults == Array(repeating: -Int(EACCES), count: Self.count))
        #expect(harness.flush(marker: directory.appendingPathComponent("marker").path))

        let notFound = harness.opens { $0.path == missing }
        #expect(notFound.count == Self.count)
        #expect(notFound.allSatisfy { $0.errno == ENOENT && $0.fileDescriptor == nil && $0.uid == 0 })
        let denied = harness.opens { $0.path == secret }
        #expect(denied.count == Self.count)
        #expect(denied.allSatisfy { $0.errno == EACCES && $0.uid == nobody && $0.process.pid == getpid() })
        #expect(ErrnoName.of(denied.first?.errno ?? 0) == "EACCES")
    }

    @Test("Two threads of one process: the same tgid, each its own tid, each exactly N")
    func threadsShareTheProcess() throws {
        let directory = try TestEnvironment.makeScratchDirectory("threads")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("shared").path
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        let harness = try ProbeHarness()
        defer { harness.close() }

        let first = onFreshThread(comm: uniqueComm("fo-t1")) { (0..<Self.count).forEach { _ in _ = cts_open_with(CTS_OPENAT, path, O_RDONLY, 0) } }.tid
        let second = onFreshThread(comm: uniqueComm("fo-t2")) { (0..<Self.count).forEach { _ in _ = cts_open_with(CTS_OPENAT, path, O_RDONLY, 0) } }.tid
        #expect(first != second)
        #expect(harness.flush(marker: directory.appendingPathComponent("marker").path))

        let events = harness.opens { $0.path == path }
        #expect(events.allSatisfy { $0.process.pid == getpid() })
        #expect(events.filter { $0.tid == first }.count == Self.count)
        #expect(events.filter { $0.tid == second }.count == Self.count)
        #expect(Set(events.map(\.process)).count == 1, "one process identity (pid and start time)")
    }

    @Test("Paths longer than the maximum arrive cut at 4095 bytes with the truncated flag",
          arguments: [(4095, false), (4096, true), (5000, true)])
    func longPaths(length: Int, truncated: Bool) throws {
        let harness = try ProbeHarness()
        defer { harness.close() }
        let prefix = "/tmp/fo-long-\(UInt32.random(in: 0...UInt32.max))/"
        let path = prefix + String(repeating: "a", count: length - prefix.utf8.count)
        let result = onFreshThread(comm: "fo-long") { cts_open_with(CTS_OPENAT, path, O_RDONLY, 0) }.value
        #expect(result == -Int(ENAMETOOLONG) || result == -Int(ENOENT))
        #expect(harness.flush(marker: "/tmp/fo-long-marker-\(getpid())"))

        let events = harness.opens { $0.path.hasPrefix(prefix) }
        #expect(events.count == 1)
        #expect(events.first?.pathTruncated == truncated)
        #expect(events.first?.path == String(path.prefix(4095)))
        #expect(events.first?.result == Int64(result))
    }

    @Test("A child process: exactly N records with its pid, tid and comm, then its exit record")
    func childProcessAndExit() throws {
        let path = "/tmp/fo-child-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let harness = try ProbeHarness()
        defer { harness.close() }
        let comm = uniqueComm("fo-child")
        let child = try spawnOpener(comm: comm, path: path, count: Self.count)
        #expect(TestEnvironment.waitUntil { !harness.exits(of: child).isEmpty }, "exit record arrives")

        let events = harness.opens { $0.process.pid == child }
        #expect(events.count == Self.count)
        #expect(events.allSatisfy { $0.tid == child && $0.comm == comm && $0.path == path && $0.errno == ENOENT })
        let exit = try #require(harness.exits(of: child).first)
        #expect(harness.exits(of: child).count == 1)
        #expect(exit.comm == comm)
        #expect(exit.exitCode == 0)
        #expect(exit.process == events.first?.process, "same identity: pid and start time")
    }

    @Test("The excluded process (the daemon itself) produces no records; others still do")
    func excludedProcessIsSilent() throws {
        var settings = ProbeHarness.settings()
        settings.excludedProcess = getpid()
        let harness = try ProbeHarness(settings: settings)
        defer { harness.close() }
        let path = "/tmp/fo-excluded-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        _ = onFreshThread(comm: "fo-self") { (0..<Self.count).forEach { _ in _ = cts_open_with(CTS_OPENAT, path, O_RDONLY, 0) } }
        let child = try spawnOpener(comm: uniqueComm("fo-other"), path: path, count: 3)
        #expect(TestEnvironment.waitUntil { !harness.exits(of: child).isEmpty })
        #expect(harness.opens { $0.path == path && $0.process.pid == getpid() }.isEmpty)
        #expect(harness.opens { $0.path == path && $0.process.pid == child }.count == 3)
    }
}

/// Forks a child that opens `path` exactly `count` times through openat, and reaps it.
func spawnOpener(comm: String, path: String, count: Int, call: cts_open_call = CTS_OPENAT) throws -> Int32 {
    let pid = cts_spawn_opener(comm, call, path, O_RDONLY, count)
    guard pid > 0 else { throw POSIXError(POSIXErrorCode(rawValue: -pid) ?? .EIO) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return pid
}
