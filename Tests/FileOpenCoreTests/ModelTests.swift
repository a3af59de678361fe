import FileOpenCore
import FileOpenTestSupport
import Foundation
import Testing

@Suite("Model")
struct ModelTests {
    @Test("errno names: Linux's symbols, canonical for aliases, bounded for anything else",
          arguments: [(1, "EPERM"), (2, "ENOENT"), (11, "EAGAIN"), (13, "EACCES"), (35, "EDEADLK"),
                      (36, "ENAMETOOLONG"), (95, "EOPNOTSUPP"), (133, "EHWPOISON"), (41, "E41"),
                      (0, "E0"), (-4, "E-4"), (134, "E134"), (Int32.max, "E2147483647")])
    func errnoNames(value: Int32, name: String) {
        #expect(ErrnoName.of(value) == name)
    }

    @Test("Open flags: access mode and O_CREAT")
    func openFlags() {
        #expect(OpenFlags(rawValue: 0o0).accessMode == .read)
        #expect(OpenFlags(rawValue: 0o1).accessMode == .write)
        #expect(OpenFlags(rawValue: 0o2).accessMode == .readWrite)
        #expect(OpenFlags(rawValue: 0o3).accessMode == .readWrite)
        #expect(OpenFlags(rawValue: 0o1101).creates)
        #expect(!OpenFlags(rawValue: 0o2000000).creates)
    }

    @Test("Only ring-full and pending-full drops are opens without a record")
    func droppedOpens() {
        var drops = DropCounts()
        drops[.ringBufferFull] = 5
        drops[.pendingMapFull] = 2
        drops[.exitRingBufferFull] = 100
        drops[.missedMapFull] = 1000
        drops[.missedCommMapFull] = 10
        drops[.exitUnmarked] = 20
        #expect(drops.droppedOpens == 7)
        #expect(DropReason.allCases.map(\.description) == [
            "ring_buffer_full", "pending_map_full", "exit_ring_buffer_full", "missed_map_full", "missed_comm_map_full",
            "exit_unmarked", "cgroup_ring_buffer_full",
        ])
    }

    @Test("A failed open has an errno and no fd; a successful one the reverse")
    func eventResult() {
        var event = EventLineFormatterTests.event(result: -13)
        #expect(event.errno == 13 && event.fileDescriptor == nil)
        event.result = 0
        #expect(event.errno == nil && event.fileDescriptor == 0)
    }
}
