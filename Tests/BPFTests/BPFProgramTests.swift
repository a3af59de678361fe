import BPF
import Foundation
import FileOpenTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Calls getppid(2) `count` times: each is one sys_enter_getppid event of this process.
private func callGetppid(_ count: Int) {
    for _ in 0..<count { _ = getppid() }
}

/// The `prog_id` the kernel shows for a program descriptor in /proc/self/fdinfo.
private func programID(ofDescriptor fd: Int32) throws -> UInt32? {
    let fdinfo = try String(contentsOfFile: "/proc/self/fdinfo/\(fd)", encoding: .utf8)
    let line = fdinfo.split(separator: "\n").first { $0.hasPrefix("prog_id:") }
    return line.flatMap { UInt32($0.dropFirst("prog_id:".count).trimmingCharacters(in: .whitespaces)) }
}

// Serialized: the tracepoint tests attach to one kernel hook and count this process's getppid()
// calls, so no two of them may run at once.
@Suite(
    "BPFProgram: autoload, test runs, info, and a real tracepoint attach",
    .serialized,
    .enabled(if: TestEnvironment.canRunKernelTests, Comment(rawValue: TestEnvironment.kernelTestsSkipReason))
)
struct BPFProgramTests {
    @Test("a tracepoint counts exactly this process's getppid() calls until its link is destroyed")
    func tracepointCountsUntilDetached() throws {
        TestEnvironment.ensureTracefs()
        let object = try TestPrograms.open()
        try object.setGlobal("target_tgid", to: UInt32(bitPattern: getpid()))
        try object.load()
        let calls = try object.arrayMap(named: "getppid_calls", value: UInt64.self)
        let program = try object.program(named: "count_getppid")

        let link = try program.attach()
        #expect(link.isAttached)
        #expect(link.programName == "count_getppid")
        #expect(try calls[0] == 0)
        callGetppid(37)
        #expect(try calls[0] == 37)
        callGetppid(5)
        #expect(try calls[0] == 42)

        link.destroy()
        #expect(!link.isAttached)
        callGetppid(10)
        #expect(try calls[0] == 42)
        link.destroy()
        #expect(!link.isAttached)
    }

    @Test("attachTracepoint(category:name:) attaches too, and the tgid filter excludes other processes")
    func explicitTracepointAndFilter() throws {
        TestEnvironment.ensureTracefs()
        // Another process's tgid (one no process has): this process's calls must not count.
        let other = try TestPrograms.open()
        try other.setGlobal("target_tgid", to: UInt32.max)
        try other.load()
        let mine = try TestPrograms.open()
        try mine.setGlobal("target_tgid", to: UInt32(bitPattern: getpid()))
        try mine.load()

        let otherLink = try other.program(named: "count_getppid")
            .attachTracepoint(category: "syscalls", name: "sys_enter_getppid")
        let myLink = try mine.program(named: "count_getppid")
            .attachTracepoint(category: "syscalls", name: "sys_enter_getppid")
        defer {
            otherLink.destroy()
            myLink.destroy()
        }
        callGetppid(12)
        #expect(try mine.arrayMap(named: "getppid_calls", value: UInt64.self)[0] == 12)
        #expect(try other.arrayMap(named: "getppid_calls", value: UInt64.self)[0] == 0)
    }

    @Test("a link keeps counting after the program's object is released by the test")
    func linkKeepsObjectAlive() throws {
        TestEnvironment.ensureTracefs()
        var object: BPFObject? = try TestPrograms.open()
        try object?.setGlobal("target_tgid", to: UInt32(bitPattern: getpid()))
        try object?.load()
        let calls = try #require(try object?.arrayMap(named: "getppid_calls", value: UInt64.self))
        let link = try #require(try object?.program(named: "count_getppid").attach())
        object = nil
        callGetppid(9)
        #expect(try calls[0] == 9)
        link.destroy()
        callGetppid(1)
        #expect(try calls[0] == 9)
    }

    @Test("attaching to a tracepoint that does not exist fails with ENOENT")
    func missingTracepoint() throws {
        TestEnvironment.ensureTracefs()
        let object = try TestPrograms.loaded()
        let program = try object.program(named: "count_getppid")
        let operation = "bpf_program__attach_tracepoint(count_getppid, syscalls/sys_enter_no_such_call)"
        #expect(throws: BPFError.callFailed(operation: operation, errno: ENOENT)) {
            try program.attachTracepoint(category: "syscalls", name: "sys_enter_no_such_call")
        }
    }

    @Test("a program left out with setAutoload(false) is not loaded: no descriptor, no run, no info")
    func autoloadFalse() throws {
        let object = try TestPrograms.open()
        let spare = try object.program(named: "spare")
        #expect(try spare.autoload == true)
        try spare.setAutoload(false)
        #expect(try spare.autoload == false)
        try object.load()

        #expect(try object.program(named: "emit_records").fileDescriptor >= 0)
        #expect(try object.program(named: "count_getppid").fileDescriptor >= 0)
        #expect(throws: BPFError.callFailed(operation: "bpf_program__fd(spare)", errno: ENOENT)) {
            try spare.fileDescriptor
        }
        #expect(throws: BPFError.callFailed(operation: "bpf_program__fd(spare)", errno: ENOENT)) {
            try spare.run()
        }
        #expect(throws: BPFError.callFailed(operation: "bpf_program__fd(spare)", errno: ENOENT)) {
            try spare.info()
        }
    }

    @Test("run(context:) returns the program's return value")
    func runReturnsValue() throws {
        let object = try TestPrograms.loaded()
        #expect(try object.program(named: "spare").run() == 7)
        #expect(try object.program(named: "emit_records").run(context: TestPrograms.emitArguments(count: 0, base: 1)) == 0)
        #expect(try object.program(named: "emit_records").run(context: TestPrograms.emitArguments(count: 3, base: 1)) == 3)
    }

    @Test("info() returns the kernel's non-zero program id, the one /proc/self/fdinfo shows")
    func infoHasKernelID() throws {
        let object = try TestPrograms.loaded()
        let emit = try object.program(named: "emit_records")
        let count = try object.program(named: "count_getppid")
        let emitInfo = try emit.info()
        #expect(emitInfo.id != 0)
        #expect(emitInfo.recursionMisses == 0)
        #expect(try programID(ofDescriptor: emit.fileDescriptor) == emitInfo.id)
        #expect(try emit.info() == emitInfo)
        let countInfo = try count.info()
        #expect(countInfo.id != 0)
        #expect(countInfo.id != emitInfo.id)
        #expect(try programID(ofDescriptor: count.fileDescriptor) == countInfo.id)
    }
}
