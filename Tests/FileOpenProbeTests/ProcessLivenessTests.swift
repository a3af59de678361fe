import FileOpenCore
import FileOpenProbe
import Foundation
import Testing

@Suite("Process liveness: the backstop for exits whose record and mark were lost")
struct ProcessLivenessTests {
    /// This process's identity as the kernel program sees it: /proc/self/stat's start time is
    /// in clock ticks, start_boottime in nanoseconds.
    static func selfIdentity() throws -> ProcessIdentity {
        let stat = try String(contentsOfFile: "/proc/self/stat", encoding: .utf8)
        let fields = stat[stat.index(after: try #require(stat.lastIndex(of: ")")))...].split(separator: " ")
        let ticks = try #require(UInt64(fields[19]))
        return ProcessIdentity(pid: getpid(), startTime: ticks * UInt64(1_000_000_000 / sysconf(Int32(_SC_CLK_TCK))))
    }

    @Test("a running process is running; the same pid with another start time has exited")
    func identity() throws {
        let me = try Self.selfIdentity()
        #expect(ProcessLiveness.isRunning(me))
        #expect(ProcessLiveness.isRunning(ProcessIdentity(pid: me.pid, startTime: me.startTime + 9_999_999)), "same tick")
        #expect(!ProcessLiveness.isRunning(ProcessIdentity(pid: me.pid, startTime: me.startTime + 1_000_000_000)))
    }

    @Test("a reaped child has exited")
    func reaped() throws {
        let child = try Process.run(URL(fileURLWithPath: "/bin/true"), arguments: [])
        child.waitUntilExit()
        #expect(!ProcessLiveness.isRunning(ProcessIdentity(pid: child.processIdentifier, startTime: 1)))
        #expect(!ProcessLiveness.isRunning(ProcessIdentity(pid: Int32.max, startTime: 1)), "no such pid")
    }
}
