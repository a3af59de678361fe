import BPF
import CLibbpf
import Foundation
import FileOpenTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite(
    "Typed maps: hash, array and per-CPU array round trips through a loaded object",
    .enabled(if: TestEnvironment.canRunKernelTests, Comment(rawValue: TestEnvironment.kernelTestsSkipReason))
)
struct BPFMapTests {
    @Test("hash map: update, lookup, keys, entries, delete, and the noExist/exist flags")
    func hashMapRoundTrip() throws {
        let object = try TestPrograms.loaded()
        let map = try object.hashMap(named: "hash_map", key: UInt32.self, value: UInt64.self)
        #expect(map.name == "hash_map")
        #expect(try map.keys() == [])
        #expect(try map.lookup(1) == nil)

        try map.update(1, 100)
        try map.update(2, 200, flags: .noExist)
        try map.update(3, 300, flags: .any)
        #expect(try map.lookup(1) == 100)
        #expect(try map.lookup(2) == 200)
        #expect(try map.lookup(3) == 300)
        #expect(try map.lookup(4) == nil)

        // BPF_NOEXIST on a present key: EEXIST, and the value stays.
        #expect(throws: BPFError.callFailed(operation: "bpf_map_update_elem(hash_map)", errno: EEXIST)) {
            try map.update(2, 222, flags: .noExist)
        }
        #expect(try map.lookup(2) == 200)
        // BPF_EXIST on an absent key: ENOENT, and nothing is created.
        #expect(throws: BPFError.callFailed(operation: "bpf_map_update_elem(hash_map)", errno: ENOENT)) {
            try map.update(4, 400, flags: .exist)
        }
        #expect(try map.lookup(4) == nil)
        // BPF_EXIST on a present key replaces.
        try map.update(1, 111, flags: .exist)
        #expect(try map.lookup(1) == 111)

        #expect(try map.keys().sorted() == [1, 2, 3])
        let entries = try map.entries()
        #expect(entries.count == 3)
        #expect(Dictionary(uniqueKeysWithValues: entries.map { ($0.key, $0.value) }) == [1: 111, 2: 200, 3: 300])

        #expect(try map.delete(2) == true)
        #expect(try map.delete(2) == false)
        #expect(try map.lookup(2) == nil)
        #expect(try map.keys().sorted() == [1, 3])
    }

    @Test("hash map: entries() reads a map of thousands in batches, each entry exactly once")
    func hashMapBatches() throws {
        let object = try TestPrograms.loaded()
        let map = try object.hashMap(named: "big_hash_map", key: UInt32.self, value: UInt64.self)
        #expect(try map.entries().isEmpty)
        for key in UInt32(0)..<5000 { try map.update(key * 7, UInt64(key)) }
        let entries = try map.entries()
        #expect(entries.count == 5000)
        #expect(Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { _, _ in .max }) ==
            Dictionary(uniqueKeysWithValues: (UInt32(0)..<5000).map { ($0 * 7, UInt64($0)) }))
    }

    @Test("hash map: a full map refuses a new key with E2BIG")
    func hashMapFull() throws {
        let object = try TestPrograms.loaded()
        let map = try object.hashMap(named: "hash_map", key: UInt32.self, value: UInt64.self)
        for key in UInt32(0)..<16 { try map.update(key, UInt64(key) * 3) }
        #expect(throws: BPFError.callFailed(operation: "bpf_map_update_elem(hash_map)", errno: E2BIG)) {
            try map.update(16, 48)
        }
        #expect(try map.keys().count == 16)
        #expect(try map.lookup(15) == 45)
    }

    @Test("array map: zero-initialized, update and read back, bounds errors")
    func arrayMapRoundTrip() throws {
        let object = try TestPrograms.loaded()
        let map = try object.arrayMap(named: "array_map", value: UInt64.self)
        #expect(map.name == "array_map")
        #expect(map.count == 8)
        for index in UInt32(0)..<8 { #expect(try map[index] == 0) }

        try map.update(0, 7)
        try map.update(3, 0xDEAD_BEEF_0000_0001)
        try map.update(7, UInt64.max)
        #expect(try map[0] == 7)
        #expect(try map[1] == 0)
        #expect(try map[3] == 0xDEAD_BEEF_0000_0001)
        #expect(try map[7] == UInt64.max)
        try map.update(3, 4)
        #expect(try map[3] == 4)

        #expect(throws: BPFError.callFailed(operation: "bpf_map_lookup_elem(array_map)", errno: ENOENT)) {
            try map[8]
        }
        #expect(throws: BPFError.callFailed(operation: "bpf_map_update_elem(array_map)", errno: E2BIG)) {
            try map.update(8, 1)
        }
    }

    @Test("per-CPU array map: one value per possible CPU, written and read back per CPU")
    func perCPUArrayRoundTrip() throws {
        let object = try TestPrograms.loaded()
        let map = try object.perCPUArrayMap(named: "percpu_map", value: UInt64.self)
        #expect(map.name == "percpu_map")
        #expect(map.count == 4)
        #expect(map.cpuCount == Int(libbpf_num_possible_cpus()))
        #expect(try map.cpuCount == Self.possibleCPUsFromSysfs())

        let zeros = [UInt64](repeating: 0, count: map.cpuCount)
        for index in UInt32(0)..<4 { #expect(try map[index] == zeros) }

        let values = (0..<map.cpuCount).map { UInt64($0 + 1) * 1000 + 7 }
        try map.update(2, values)
        #expect(try map[2] == values)
        #expect(try map[1] == zeros)

        let wrongCount = map.cpuCount + 1
        #expect(
            throws: BPFError.callFailed(
                operation: "bpf_map_update_elem(percpu_map) with \(wrongCount) of \(map.cpuCount) CPUs", errno: EINVAL
            )
        ) {
            try map.update(2, [UInt64](repeating: 1, count: wrongCount))
        }
        #expect(try map[2] == values)
        #expect(throws: BPFError.callFailed(operation: "bpf_map_lookup_elem(percpu_map)", errno: ENOENT)) {
            try map[4]
        }
    }

    /// The possible CPUs from `/sys/devices/system/cpu/possible` (e.g. "0-3" or "0,2-5").
    static func possibleCPUsFromSysfs() throws -> Int {
        let text = try String(contentsOfFile: "/sys/devices/system/cpu/possible", encoding: .utf8)
        return text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",").reduce(0) { total, range in
            let bounds = range.split(separator: "-").compactMap { Int($0) }
            return total + (bounds.count == 2 ? bounds[1] - bounds[0] + 1 : 1)
        }
    }
}
