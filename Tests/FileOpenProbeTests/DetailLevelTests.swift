import CTestSupport
import FileOpenCore
import FileOpenProbe
import FileOpenTestSupport
import Foundation
import Testing

/// The counts level on this kernel: the kernel program counts every open itself, per process and
/// result, with no record; and a live switch between the levels loses and doubles nothing.
@Suite(
    "Detail levels end to end",
    .serialized,
    .enabled(if: TestEnvironment.canRunKernelTests, Comment(rawValue: TestEnvironment.kernelTestsSkipReason))
)
struct DetailLevelTests {
    static let count = 25

    /// The test settings at `level`, with the tracepoint mode's arguments read at exit or parked
    /// at entry (the other modes ignore it).
    static func settings(_ level: DetailLevel, argumentsAtExit: Bool) -> ProbeSettings {
        var settings = ProbeHarness.settings()
        settings.detailLevel = level
        settings.argumentsAtExit = argumentsAtExit
        return settings
    }

    /// What the kernel counted for `pid`, once its exit is marked.
    static func counted(_ harness: ProbeHarness, pid: Int32) throws -> MissedOpens? {
        var found: MissedOpens?
        _ = try TestEnvironment.waitUntil {
            found = try harness.probe.missedOpens().processes.first { $0.key.pid == pid }?.value
            return found?.exitedAt != nil
        }
        return found
    }

    @Test("counts: each syscall's opens counted in the kernel exactly, by access mode, O_CREAT and errno; no open record",
          arguments: [CTS_OPEN, CTS_OPENAT, CTS_OPENAT2, CTS_CREAT], [true, false])
    func countsPerSyscall(call: cts_open_call, argumentsAtExit: Bool) throws {
        let directory = try TestEnvironment.makeScratchDirectory("counts")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("target").path
        _ = FileManager.default.createFile(atPath: path, contents: Data("x".utf8))
        let harness = try ProbeHarness(settings: Self.settings(.counts, argumentsAtExit: argumentsAtExit))
        defer { harness.close() }
        #expect(harness.probe.detailLevel == .counts)

        // The opener passes mode 0600, which openat2 accepts only with O_CREAT.
        let flags: Int32 = call == CTS_CREAT ? O_CREAT | O_WRONLY | O_TRUNC : call == CTS_OPENAT2 ? O_RDWR | O_CREAT : O_RDWR
        let opener = MetricsLikeOpener.run(uniqueComm("fo-cnt"), call, path, flags, Self.count)
        let failer = MetricsLikeOpener.run(uniqueComm("fo-cnf"), call, directory.appendingPathComponent("absent/x").path,
                                           flags, Self.count)
        let opens = try #require(try Self.counted(harness, pid: opener))
        #expect(opens.opens == UInt64(Self.count))
        if call == CTS_CREAT {
            #expect(opens.writes == UInt64(Self.count) && opens.creates == UInt64(Self.count))
        } else {
            #expect(opens.readWrites == UInt64(Self.count))
            #expect(opens.creates == (call == CTS_OPENAT2 ? UInt64(Self.count) : 0))
        }
        #expect(opens.errors.isEmpty)
        let failures = try #require(try Self.counted(harness, pid: failer))
        #expect(failures.opens == UInt64(Self.count))
        #expect(failures.errors == [ENOENT: UInt64(Self.count)])
        #expect(harness.opens { $0.process.pid == opener || $0.process.pid == failer }.isEmpty, "no open record")
        #expect(TestEnvironment.waitUntil { !harness.exits(of: opener).isEmpty }, "exits still come as records")
    }

    @Test("events: the arguments read at exit or parked at entry give the same records",
          arguments: [CTS_OPEN, CTS_OPENAT, CTS_OPENAT2, CTS_CREAT], [true, false])
    func eventsPerArgumentSource(call: cts_open_call, argumentsAtExit: Bool) throws {
        let directory = try TestEnvironment.makeScratchDirectory("args")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("target").path
        _ = FileManager.default.createFile(atPath: path, contents: Data("x".utf8))
        let harness = try ProbeHarness(settings: Self.settings(.events, argumentsAtExit: argumentsAtExit))
        defer { harness.close() }
        let flags: Int32 = call == CTS_CREAT ? O_CREAT | O_WRONLY | O_TRUNC
            : call == CTS_OPENAT2 ? O_RDWR | O_CLOEXEC | O_CREAT : O_RDWR | O_CLOEXEC
        let comm = uniqueComm("fo-arg")
        let opener = MetricsLikeOpener.run(comm, call, path, flags, Self.count)
        #expect(TestEnvironment.waitUntil { !harness.exits(of: opener).isEmpty })
        let events = harness.opens { $0.process.pid == opener }
        #expect(events.count == Self.count)
        #expect(events.allSatisfy {
            $0.path == path && $0.comm == comm && $0.result >= 0
                && $0.flags.rawValue & ~ProbeEndToEndTests.largeFile == UInt32(bitPattern: flags)
        })
        // The cgroup the record names is the opener's in the v2 hierarchy (a cgroup's id is its inode).
        if let cgroup = Self.cgroupInode(of: getpid()) {
            #expect(events.allSatisfy { $0.cgroupID == cgroup }, "cgroup id \(cgroup)")
        }
        if harness.probe.mode == .tracepoint {
            #expect(events.allSatisfy { $0.syscall == OpenSyscall(rawValue: UInt16(call.rawValue)) })
            #expect(events.allSatisfy { $0.mode == 0o600 }, "the mode as passed")
        }
    }

    /// The inode of `pid`'s cgroup in the v2 hierarchy (/proc/PID/cgroup's "0::" line, under the
    /// cgroup2 mount of /proc/self/mountinfo); nil without one.
    static func cgroupInode(of pid: Int32) -> UInt64? {
        guard let cgroups = try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8),
              let line = cgroups.split(separator: "\n").first(where: { $0.hasPrefix("0::") }),
              let mounts = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8),
              let mount = mounts.split(separator: "\n").first(where: { $0.contains(" - cgroup2 ") })
        else { return nil }
        let mountPoint = mount.split(separator: " ")[4]
        var info = stat()
        guard stat(String(mountPoint) + String(line.dropFirst(3)), &info) == 0 else { return nil }
        return UInt64(info.st_ino)
    }

    @Test("a live switch events -> counts -> events: one process's opens across both switches, each a record or a count, exactly once")
    func liveSwitch() throws {
        let directory = try TestEnvironment.makeScratchDirectory("switch")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("absent").path
        let harness = try ProbeHarness()
        defer { harness.close() }
        var gates: [Int32] = [0, 0, 0, 0]
        try gates.withUnsafeMutableBufferPointer { buffer in
            guard pipe(buffer.baseAddress!) == 0, pipe(buffer.baseAddress! + 2) == 0 else {
                throw POSIXError(.EPIPE)
            }
        }
        defer { gates.forEach { close($0) } }
        // Two gated children: the first spans events -> counts, the second counts -> events.
        let first = cts_spawn_gated_opener(uniqueComm("fo-sw1"), CTS_OPENAT, path, O_RDONLY, 40, gates[0], 30)
        #expect(TestEnvironment.waitUntil { harness.opens { $0.process.pid == first }.count == 40 })
        try harness.probe.setDetailLevel(.counts)
        _ = write(gates[1], "x", 1)
        var status: Int32 = 0
        waitpid(first, &status, 0)
        let firstCounted = try #require(try DetailLevelTests.counted(harness, pid: first))
        #expect(harness.opens { $0.process.pid == first }.count == 40, "records before the switch")
        #expect(firstCounted.opens == 30 && firstCounted.errors == [ENOENT: 30], "counts after it")

        let second = cts_spawn_gated_opener(uniqueComm("fo-sw2"), CTS_OPENAT, path, O_RDONLY, 20, gates[2], 10)
        #expect(try TestEnvironment.waitUntil {
            try harness.probe.missedOpens().processes.first { $0.key.pid == second }?.value.opens == 20
        })
        try harness.probe.setDetailLevel(.events)
        _ = write(gates[3], "x", 1)
        waitpid(second, &status, 0)
        #expect(TestEnvironment.waitUntil { harness.opens { $0.process.pid == second }.count == 10 }, "records after switching back")
        let secondCounted = try #require(try DetailLevelTests.counted(harness, pid: second))
        #expect(secondCounted.opens == 20, "the counts before it stay, none added")
    }
}

/// Forks an opener (raw system calls only) and reaps it.
enum MetricsLikeOpener {
    static func run(_ comm: String, _ call: cts_open_call, _ path: String, _ flags: Int32, _ count: Int) -> Int32 {
        let child = cts_spawn_opener(comm, call, path, flags, count)
        var status: Int32 = 0
        waitpid(child, &status, 0)
        return child
    }
}
