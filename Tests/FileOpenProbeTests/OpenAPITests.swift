import CTestSupport
import FileOpenCore
import FileOpenProbe
import FileOpenTestSupport
import Foundation
import Testing

/// Opens that make no open system call: submitted through io_uring (IORING_OP_OPENAT and
/// OPENAT2, raw io_uring_setup/io_uring_enter in CTestSupport) and open_by_handle_at, each seen
/// by the real probe on this kernel at both detail levels, with exact counts.
@Suite(
    "io_uring and open_by_handle_at end to end",
    .serialized,
    .enabled(if: TestEnvironment.canRunKernelTests, Comment(rawValue: TestEnvironment.kernelTestsSkipReason))
)
struct OpenAPITests {
    static let count = 20
    static let failures = 7

    /// How `call` fails on a missing path: ENOENT, or EINVAL for open_by_handle_at, which gets
    /// an empty handle as there is none for a missing file.
    static func failure(of call: cts_open_call) -> Int32 {
        call == CTS_OPEN_BY_HANDLE_AT ? EINVAL : ENOENT
    }

    /// io_uring opens with O_CREAT (into a missing directory: ENOENT); open_by_handle_at names
    /// an existing file, so O_CREAT means nothing there.
    static func flags(of call: cts_open_call) -> Int32 {
        call == CTS_OPEN_BY_HANDLE_AT ? O_RDWR : O_RDWR | O_CREAT
    }

    @Test("N successes and M failures: exactly N + M opens of the submitting process, with path, flags and result, at both levels; the per-API counts exact",
          arguments: [CTS_IO_URING_OPENAT, CTS_IO_URING_OPENAT2, CTS_OPEN_BY_HANDLE_AT], [DetailLevel.events, .counts])
    func exactOpens(call: cts_open_call, level: DetailLevel) throws {
        try TestEnvironment.exclusively("open-apis") {
            let directory = try TestEnvironment.makeScratchDirectory("api")
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("target").path
            let missing = directory.appendingPathComponent("absent/x").path
            _ = FileManager.default.createFile(atPath: path, contents: Data("x".utf8))
            let realPath = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
            let harness = try ProbeHarness(settings: DetailLevelTests.settings(level, argumentsAtExit: true))
            defer { harness.close() }
            let syscall = try #require(OpenSyscall(rawValue: UInt16(call.rawValue)))
            #expect(harness.probe.coveredAPIs.contains(syscall.api), "\(harness.probe.mode) covers \(syscall.api)")
            let before = try #require(try harness.probe.apiOpenCounts()[syscall.api])

            let flags = Self.flags(of: call)
            let (comm, failComm) = (uniqueComm("fo-api"), uniqueComm("fo-apf"))
            let opener = MetricsLikeOpener.run(comm, call, path, flags, Self.count)
            let failer = MetricsLikeOpener.run(failComm, call, missing, flags, Self.failures)

            if level == .events {
                #expect(TestEnvironment.waitUntil { !harness.exits(of: opener).isEmpty && !harness.exits(of: failer).isEmpty })
                let opens = harness.opens { $0.process.pid == opener }
                #expect(opens.count == Self.count)
                let expectedPath = call == CTS_OPEN_BY_HANDLE_AT ? "" : path
                for event in opens {
                    #expect(event.syscall == syscall)
                    #expect(event.path == expectedPath && !event.pathUnreadable && !event.pathTruncated)
                    // Resolved from the new fd as any open is, by handle too (whatever thread finished it).
                    #expect(event.resolution == .file && event.resolvedPath == realPath, "\(event.resolvedPath)")
                    #expect(event.comm == comm, "the submitter's comm, whichever thread finished the open")
                    #expect(event.result >= 0)
                    #expect(event.flags.rawValue & ~ProbeEndToEndTests.largeFile == UInt32(bitPattern: flags))
                    if call != CTS_OPEN_BY_HANDLE_AT { #expect(event.mode == 0o600) }
                }
                let failed = harness.opens { $0.process.pid == failer }
                #expect(failed.count == Self.failures)
                #expect(failed.allSatisfy {
                    $0.syscall == syscall && $0.result == -Int64(Self.failure(of: call)) && $0.comm == failComm
                })
                if call != CTS_OPEN_BY_HANDLE_AT {
                    // An absolute name that failed: itself, normalised, not verified by the kernel.
                    #expect(failed.allSatisfy { $0.path == missing && $0.resolution == .lexical && $0.resolvedPath == missing })
                } else {
                    #expect(failed.allSatisfy { $0.resolution == .unresolved }, "a failed open by handle names nothing")
                }
            } else {
                let opens = try #require(try DetailLevelTests.counted(harness, pid: opener))
                #expect(opens.opens == UInt64(Self.count) && opens.readWrites == UInt64(Self.count))
                #expect(opens.creates == (call == CTS_OPEN_BY_HANDLE_AT ? 0 : UInt64(Self.count)))
                #expect(opens.errors.isEmpty)
                #expect(opens.comm == comm)
                let failed = try #require(try DetailLevelTests.counted(harness, pid: failer))
                #expect(failed.opens == UInt64(Self.failures))
                #expect(failed.errors == [Self.failure(of: call): UInt64(Self.failures)])
                #expect(harness.opens { $0.process.pid == opener || $0.process.pid == failer }.isEmpty, "no open record")
            }
            let after = try #require(try harness.probe.apiOpenCounts()[syscall.api])
            #expect(after.opens - before.opens == UInt64(Self.count + Self.failures))
            #expect(after.failed - before.failed == UInt64(Self.failures))
        }
    }

    @Test("IOSQE_CQE_SKIP_SUCCESS hides nothing: successes that post no CQE are counted as the ring reuses their requests, failures with their errno",
          arguments: [DetailLevel.events, .counts])
    func skippedCompletions(level: DetailLevel) throws {
        try TestEnvironment.exclusively("open-apis") {
            let directory = try TestEnvironment.makeScratchDirectory("api-skip")
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("target").path
            _ = FileManager.default.createFile(atPath: path, contents: Data("x".utf8))
            let harness = try ProbeHarness(settings: DetailLevelTests.settings(level, argumentsAtExit: true))
            defer { harness.close() }
            let before = try #require(try harness.probe.apiOpenCounts()[.ioUring])

            // Children with raw system calls only: the opens succeed (no CQE), then fail (ENOENT, a CQE).
            func run(_ comm: String, _ target: String, expecting: Int) -> Int32 {
                let child = fork()
                if child == 0 {
                    _ = cts_set_thread_comm(comm)
                    let succeeded = cts_io_uring_open_skipping_success(target, O_RDONLY, Self.count)
                    _exit(succeeded == expecting ? 0 : 1)
                }
                var status: Int32 = 0
                waitpid(child, &status, 0)
                #expect(status == 0, "\(comm): \(Self.count) opens, \(expecting) succeeded")
                return child
            }
            let opener = run(uniqueComm("fo-skp"), path, expecting: Self.count)
            let failer = run(uniqueComm("fo-skf"), directory.appendingPathComponent("absent").path, expecting: 0)

            if level == .events {
                #expect(TestEnvironment.waitUntil { !harness.exits(of: opener).isEmpty && !harness.exits(of: failer).isEmpty })
                let opens = harness.opens { $0.process.pid == opener }
                #expect(opens.count == Self.count && opens.allSatisfy { $0.path == path && $0.result == 0 })
                #expect(opens.allSatisfy { $0.resolution == .unresolved }, "no CQE: the fd, and so the file, is not known")
                let failed = harness.opens { $0.process.pid == failer }
                #expect(failed.count == Self.count && failed.allSatisfy { $0.result == -Int64(ENOENT) })
            } else {
                let opens = try #require(try DetailLevelTests.counted(harness, pid: opener))
                #expect(opens.opens == UInt64(Self.count) && opens.errors.isEmpty)
                let failed = try #require(try DetailLevelTests.counted(harness, pid: failer))
                #expect(failed.errors == [ENOENT: UInt64(Self.count)])
            }
            let after = try #require(try harness.probe.apiOpenCounts()[.ioUring])
            #expect(after.opens - before.opens == UInt64(2 * Self.count))
            #expect(after.failed - before.failed == UInt64(Self.count))
        }
    }

    @Test("An open the ring's SQPOLL kernel thread submits is the process's: its pid and comm, the thread's tid")
    func submittedBySQPollThread() throws {
        try TestEnvironment.exclusively("open-apis") {
            let directory = try TestEnvironment.makeScratchDirectory("api-sqpoll")
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("target").path
            _ = FileManager.default.createFile(atPath: path, contents: Data("x".utf8))
            let harness = try ProbeHarness()
            defer { harness.close() }
            let comm = uniqueComm("fo-sqp")
            let opens = 5
            let child = fork()
            if child == 0 {
                _ = cts_set_thread_comm(comm)
                let results = (0..<opens).map { _ in cts_io_uring_open_sqpoll(path, O_RDONLY) }
                _exit(results.allSatisfy { $0 >= 0 } ? 0 : 1)
            }
            var status: Int32 = 0
            waitpid(child, &status, 0)
            #expect(status == 0, "every SQPOLL open succeeded")
            #expect(TestEnvironment.waitUntil { !harness.exits(of: child).isEmpty })
            let events = harness.opens { $0.process.pid == child }
            #expect(events.count == opens)
            #expect(events.allSatisfy { $0.comm == comm && $0.path == path && $0.syscall == .ioUringOpenat && $0.result >= 0 },
                    "\(events.map { "\($0.comm) \($0.tid) \($0.path)" })")
            #expect(events.allSatisfy { $0.tid != child }, "submitted by the iou-sqp thread")
        }
    }

    @Test("An excluded comm's io_uring opens are filtered, those its SQPOLL thread submits included")
    func filteredBySubmitter() throws {
        try TestEnvironment.exclusively("open-apis") {
            let directory = try TestEnvironment.makeScratchDirectory("api-filter")
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("target").path
            _ = FileManager.default.createFile(atPath: path, contents: Data("x".utf8))
            let comm = uniqueComm("fo-uxf")
            var settings = DetailLevelTests.settings(.events, argumentsAtExit: true)
            settings.filters = try OpenFilters(parsing: ["exclude comm=\(comm)"])
            let harness = try ProbeHarness(settings: settings)
            defer { harness.close() }
            let before = try harness.probe.filteredCounts()
            let opens = 5
            let child = fork()
            if child == 0 {
                _ = cts_set_thread_comm(comm)
                let plain = (0..<opens).map { _ in cts_io_uring_open(path, O_RDONLY, 0, 0) }
                let polled = (0..<opens).map { _ in cts_io_uring_open_sqpoll(path, O_RDONLY) }
                _exit((plain + polled).allSatisfy { $0 >= 0 } ? 0 : 1)
            }
            var status: Int32 = 0
            waitpid(child, &status, 0)
            #expect(status == 0, "every open succeeded")
            #expect(TestEnvironment.waitUntil { !harness.exits(of: child).isEmpty })
            #expect(harness.opens { $0.process.pid == child }.isEmpty, "no record of an excluded comm's io_uring open")
            let after = try harness.probe.filteredCounts()
            #expect(after[.comm]! - before[.comm]! == UInt64(2 * opens), "each counted once as filtered by comm")
        }
    }

    @Test("The plain open system calls add nothing to the per-API counts")
    func syscallsNotCountedApart() throws {
        try TestEnvironment.exclusively("open-apis") {
            let directory = try TestEnvironment.makeScratchDirectory("api-sys")
            defer { try? FileManager.default.removeItem(at: directory) }
            let harness = try ProbeHarness()
            defer { harness.close() }
            let before = try harness.probe.apiOpenCounts()
            let opener = MetricsLikeOpener.run(uniqueComm("fo-aps"), CTS_OPENAT, directory.path, O_RDONLY, Self.count)
            #expect(TestEnvironment.waitUntil { !harness.exits(of: opener).isEmpty })
            #expect(harness.opens { $0.process.pid == opener }.count == Self.count)
            #expect(try harness.probe.apiOpenCounts() == before)
        }
    }
}
