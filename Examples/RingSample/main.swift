// RingSample: prints the caller and path of every file open, the classic Hello-eBPF example on
// the BPF library. Run as root: `swift run RingSample [--count N]`, stop with Ctrl-C.
import BPF
import Foundation
import Synchronization

/// One `struct event` of ringsample.bpf.c.
struct Sample: BPFRecordDecodable {
    let pid: UInt32
    let filename: String
    let comm: String

    init(bpfRecord bytes: UnsafeRawBufferPointer) throws {
        var reader = BPFRecordReader(bytes)
        pid = try reader.read()
        filename = try reader.readCString(capacity: 256)
        comm = try reader.readCString(capacity: 16)
    }
}

enum Interrupt {
    static let requested = Atomic<Bool>(false)
}

func warn(_ message: String) {
    FileHandle.standardError.write(Data("RingSample: \(message)\n".utf8))
}

func run(limit: Int) throws {
    // libbpf would explain a refused kprobe in three lines of its own; the one warning below is enough.
    BPFLibraryLog.silence()
    let object = try BPFObject(bytes: EmbeddedBPF.ringsample, name: "ringsample")
    try object.load()
    let link: BPFLink
    do {
        link = try object.program(named: "kprobe__do_sys_openat2").attach()
        warn("attached kprobe do_sys_openat2")
    } catch {
        warn("no kprobe (\(error)); using tracepoint syscalls/sys_enter_openat")
        link = try object.program(named: "tracepoint__sys_enter_openat").attach()
    }
    defer { link.destroy() }

    let ring = try RingBuffer<Sample>(map: object.map(named: "rb"))
    var seen = 0
    // A signal interrupts the wait (poll returns 0), so Ctrl-C stops within one loop.
    while seen < limit, !Interrupt.requested.load(ordering: .relaxed) {
        try ring.poll(timeout: .milliseconds(100)) { sample in
            guard seen < limit else { return }
            print("do_sys_openat2 called by:\(sample.comm) file:\(sample.filename) pid:\(sample.pid)")
            seen += 1
        }
    }
}

var limit = Int.max
if let flag = CommandLine.arguments.firstIndex(of: "--count") {
    guard flag + 1 < CommandLine.arguments.count, let count = Int(CommandLine.arguments[flag + 1]), count > 0 else {
        warn("usage: RingSample [--count N]")
        exit(64)
    }
    limit = count
}
signal(SIGINT) { _ in Interrupt.requested.store(true, ordering: .relaxed) }
do {
    try run(limit: limit)
} catch {
    warn("\(error)")
    exit(1)
}
