import CFileOpend
import CTestSupport
import FileOpenCore
import FileOpenProbe
import FileOpenTestSupport
import Foundation
import Testing

/// The path as the kernel resolved it, next to the path as passed: real opens (raw system calls
/// from one thread with its own cwd and mount namespace) seen by the real probe on this kernel.
@Suite(
    "Resolved paths end to end",
    .serialized,
    .enabled(if: TestEnvironment.canRunKernelTests, Comment(rawValue: TestEnvironment.kernelTestsSkipReason))
)
struct PathResolutionTests {
    /// One open the thread makes, and what its record must say.
    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var passed: String
        var resolved: String
        var resolution: PathResolution
        var fails: Bool = false
    }

    @Test("dirfd, chdir, .., a symlink, a bind mount and failures under a dirfd: each resolved path exactly right")
    func resolvedPaths() throws {
        let scratch = try TestEnvironment.makeScratchDirectory("resolve")
        defer { try? FileManager.default.removeItem(at: scratch) }
        // What the kernel walks to: the directory with any symlink in its own path resolved.
        let base = try #require(Self.realPath(scratch.path))
        let manager = FileManager.default
        for directory in ["sub", "bind-source", "bind-target"] {
            try manager.createDirectory(atPath: base + "/" + directory, withIntermediateDirectories: true)
        }
        _ = manager.createFile(atPath: base + "/sub/file", contents: Data("x".utf8))
        _ = manager.createFile(atPath: base + "/bind-source/inner", contents: Data("y".utf8))
        try manager.createSymbolicLink(atPath: base + "/link", withDestinationPath: "sub/file")
        let harness = try ProbeHarness()
        defer { harness.close() }

        let cases = [
            Case(description: "the directory fd itself", passed: base + "/sub", resolved: base + "/sub", resolution: .file),
            Case(description: "openat with a directory fd", passed: "file", resolved: base + "/sub/file", resolution: .file),
            Case(description: "relative after chdir", passed: "file", resolved: base + "/sub/file", resolution: .file),
            Case(description: "./ after chdir", passed: "./file", resolved: base + "/sub/file", resolution: .file),
            Case(description: "..", passed: "../sub/../sub/file", resolved: base + "/sub/file", resolution: .file),
            Case(description: "a symlink: its target", passed: "../link", resolved: base + "/sub/file", resolution: .file),
            Case(description: "across a bind mount: the path through the mount point", passed: base + "/bind-target/inner",
                 resolved: base + "/bind-target/inner", resolution: .file),
            Case(description: "a failure under a directory fd", passed: "../nope/./x//y", resolved: base + "/nope/x/y",
                 resolution: .lexical, fails: true),
            Case(description: "a failure relative to the cwd", passed: "missing", resolved: base + "/sub/missing",
                 resolution: .lexical, fails: true),
            Case(description: "an absolute failure, normalised", passed: base + "//sub/../gone/.", resolved: base + "/gone",
                 resolution: .lexical, fails: true),
        ]
        let comm = uniqueComm("fo-resolve")
        let (results, tid) = onFreshThread(comm: comm) { () -> [Int] in
            // Raw system calls only, so the thread opens exactly the cases.
            guard cts_thread_private_fs() == 0,
                  cts_bind_mount(base + "/bind-source", base + "/bind-target") == 0 else { return [] }
            defer { _ = cts_umount(base + "/bind-target") }
            let dirfd = Int32(cts_sys_openat(AT_FDCWD, cases[0].passed, O_RDONLY | O_DIRECTORY, 0))
            defer { _ = cts_close(dirfd) }
            var results = [Int(dirfd)]
            results.append(cts_sys_openat(dirfd, cases[1].passed, O_RDONLY, 0))
            _ = cts_chdir(base + "/sub")
            for index in 2...6 { results.append(cts_sys_open(cases[index].passed, O_RDONLY, 0)) }
            results.append(cts_sys_openat(dirfd, cases[7].passed, O_RDONLY, 0))
            results.append(cts_sys_openat(AT_FDCWD, cases[8].passed, O_RDONLY, 0))
            results.append(cts_sys_openat2(dirfd, cases[9].passed, UInt64(O_RDONLY), 0, 0))
            for fd in results.dropFirst() where fd >= 0 { _ = cts_close(Int32(fd)) }
            return results
        }
        try #require(results.count == cases.count, "the thread set up its namespace and bind mount")
        for (result, expected) in zip(results, cases) {
            #expect((result < 0) == expected.fails, "\(expected): \(result)")
        }
        #expect(harness.flush(marker: base + "/marker"))

        // Its tid and unique comm: a tid may be reused once the thread has ended.
        let events = harness.opens { $0.tid == tid && $0.comm == comm }
        try #require(events.count == cases.count, "exactly the thread's opens: \(events.map(\.path))")
        for (event, expected) in zip(events, cases) {
            #expect(event.path == expected.passed, "\(expected)")
            #expect(event.resolvedPath == expected.resolved, "\(expected)")
            #expect(event.resolution == expected.resolution, "\(expected)")
            #expect(!event.resolvedTruncated && !event.resolvedUnreachable, "\(expected)")
            #expect(event.errno == (expected.fails ? ENOENT : nil), "\(expected)")
        }
    }

    @Test("A path deeper than the walk goes keeps its tail and is flagged truncated")
    func deepPathIsFlagged() throws {
        let scratch = try TestEnvironment.makeScratchDirectory("deep")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let base = try #require(Self.realPath(scratch.path))
        // More components than FILEOPEND_RESOLVE_DEPTH, each one byte: well within PATH_MAX.
        let depth = Int(FILEOPEND_RESOLVE_DEPTH) + 10
        let relative = Array(repeating: "d", count: depth).joined(separator: "/")
        try FileManager.default.createDirectory(atPath: base + "/" + relative, withIntermediateDirectories: true)
        let harness = try ProbeHarness()
        defer { harness.close() }

        let comm = uniqueComm("fo-deep")
        let (result, tid) = onFreshThread(comm: comm) { () -> Int in
            guard cts_thread_private_fs() == 0, cts_chdir(base + "/" + relative) == 0 else { return -1 }
            let fd = cts_sys_open(".", O_RDONLY | O_DIRECTORY, 0)
            if fd >= 0 { _ = cts_close(Int32(fd)) }
            return fd
        }
        #expect(result >= 0)
        #expect(harness.flush(marker: base + "/marker"))
        let event = try #require(harness.opens { $0.tid == tid && $0.comm == comm }.first)
        #expect(event.resolution == .file)
        #expect(event.resolvedTruncated)
        // The tail the walk reached: FILEOPEND_RESOLVE_DEPTH components of "/d".
        #expect(event.resolvedPath == String(repeating: "/d", count: Int(FILEOPEND_RESOLVE_DEPTH)))
    }

    @Test("A pipe reopened through /proc/self/fd is outside every mount the process sees: flagged unreachable")
    func pipeIsUnreachable() throws {
        let harness = try ProbeHarness()
        defer { harness.close() }
        let comm = uniqueComm("fo-pipe")
        let (result, tid) = onFreshThread(comm: comm) { () -> Int in
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else { return -1 }
            defer { _ = cts_close(fds[0]); _ = cts_close(fds[1]) }
            let fd = cts_sys_open("/proc/self/fd/\(fds[0])", O_RDONLY | O_NONBLOCK, 0)
            if fd >= 0 { _ = cts_close(Int32(fd)) }
            return fd
        }
        #expect(result >= 0)
        #expect(harness.flush(marker: "/tmp/fo-pipe-marker-\(getpid())"))
        let event = try #require(harness.opens { $0.tid == tid && $0.comm == comm }.first)
        #expect(event.resolution == .file)
        #expect(event.resolvedUnreachable)
        #expect(!event.resolvedTruncated)
    }

    /// realpath(3): `path` with every symlink resolved, as the kernel walks it.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
