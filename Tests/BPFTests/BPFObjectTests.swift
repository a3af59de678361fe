import BPF
import FileOpenTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite(
    "BPFObject: open, configure, load, and the errors that name what is wrong",
    .enabled(if: TestEnvironment.canRunKernelTests, Comment(rawValue: TestEnvironment.kernelTestsSkipReason))
)
struct BPFObjectTests {
    @Test("garbage bytes fail in bpf_object__open_mem with libbpf's ELF format error")
    func garbageBytes() throws {
        let garbage = [UInt8](repeating: 0xA5, count: 256)
        let error = try #require(throws: BPFError.self) { try BPFObject(bytes: garbage, name: "garbage") }
        guard case .callFailed(let operation, let errno) = error else {
            Issue.record("expected callFailed, got \(error)")
            return
        }
        #expect(operation.hasPrefix("bpf_object__open_mem"))
        #expect(operation == "bpf_object__open_mem(garbage)")
        #expect(errno == 4001, "LIBBPF_ERRNO__FORMAT: not an ELF file")
        #expect(error.errno == 4001)
    }

    @Test("no bytes at all fail in bpf_object__open_mem with EINVAL")
    func emptyBytes() throws {
        #expect(throws: BPFError.callFailed(operation: "bpf_object__open_mem(empty)", errno: EINVAL)) {
            try BPFObject(bytes: [], name: "empty")
        }
    }

    @Test("an opened object lists its programs and maps and is not loaded; load() loads it")
    func namesAndLoadState() throws {
        let object = try TestPrograms.open()
        #expect(object.name == "testprograms")
        #expect(object.programNames == TestPrograms.programNames)
        #expect(object.mapNames == TestPrograms.mapNames)
        #expect(!object.isLoaded)
        try object.load()
        #expect(object.isLoaded)
        #expect(try object.program(named: "count_getppid").sectionName == "tp/syscalls/sys_enter_getppid")
        #expect(try object.program(named: "emit_records").sectionName == "syscall")
    }

    @Test("an unknown map name throws mapNotFound listing the object's real maps")
    func mapNotFound() throws {
        let object = try TestPrograms.loaded()
        #expect(throws: BPFError.mapNotFound(name: "no_such_map", available: TestPrograms.mapNames)) {
            try object.map(named: "no_such_map")
        }
        #expect(throws: BPFError.mapNotFound(name: "hashmap", available: TestPrograms.mapNames)) {
            try object.hashMap(named: "hashmap", key: UInt32.self, value: UInt64.self)
        }
    }

    @Test("an unknown program name throws programNotFound listing the real programs")
    func programNotFound() throws {
        let object = try TestPrograms.open()
        #expect(throws: BPFError.programNotFound(name: "no_such_program", available: TestPrograms.programNames)) {
            try object.program(named: "no_such_program")
        }
    }

    @Test("a typed view of a map of another type throws wrongMapType")
    func wrongMapType() throws {
        let object = try TestPrograms.loaded()
        #expect(throws: BPFError.wrongMapType(name: "array_map", expected: .hash, actual: .array)) {
            try object.hashMap(named: "array_map", key: UInt32.self, value: UInt64.self)
        }
        #expect(throws: BPFError.wrongMapType(name: "percpu_map", expected: .array, actual: .perCPUArray)) {
            try object.arrayMap(named: "percpu_map", value: UInt64.self)
        }
        #expect(throws: BPFError.wrongMapType(name: "array_map", expected: .perCPUArray, actual: .array)) {
            try object.perCPUArrayMap(named: "array_map", value: UInt64.self)
        }
        #expect(throws: BPFError.wrongMapType(name: "hash_map", expected: .ringBuffer, actual: .hash)) {
            try RingBuffer<TestRecord>(map: object.map(named: "hash_map"))
        }
        #expect(throws: BPFError.wrongMapType(name: "records", expected: .hash, actual: .ringBuffer)) {
            try object.hashMap(named: "records", key: UInt32.self, value: UInt64.self)
        }
    }

    @Test("a typed view whose key or value size differs from the map's throws wrongMapLayout")
    func wrongMapLayout() throws {
        let object = try TestPrograms.loaded()
        let hashMap = try object.map(named: "hash_map")
        #expect(hashMap.type == .hash)
        #expect(hashMap.keySize == 4)
        #expect(hashMap.valueSize == 8)
        #expect(
            throws: BPFError.wrongMapLayout(
                name: "hash_map", keySize: 4, valueSize: 8, expectedKeySize: 8, expectedValueSize: 8
            )
        ) {
            try object.hashMap(named: "hash_map", key: UInt64.self, value: UInt64.self)
        }
        #expect(
            throws: BPFError.wrongMapLayout(
                name: "hash_map", keySize: 4, valueSize: 8, expectedKeySize: 4, expectedValueSize: 4
            )
        ) {
            try object.hashMap(named: "hash_map", key: UInt32.self, value: UInt32.self)
        }
        #expect(
            throws: BPFError.wrongMapLayout(
                name: "array_map", keySize: 4, valueSize: 8, expectedKeySize: 4, expectedValueSize: 16
            )
        ) {
            try object.arrayMap(named: "array_map", value: (UInt64, UInt64).self)
        }
        #expect(
            throws: BPFError.wrongMapLayout(
                name: "percpu_map", keySize: 4, valueSize: 8, expectedKeySize: 4, expectedValueSize: 2
            )
        ) {
            try object.perCPUArrayMap(named: "percpu_map", value: UInt16.self)
        }
    }

    @Test("setGlobal of an unknown variable throws variableNotFound, of a wrong size wrongVariableSize")
    func setGlobalErrors() throws {
        let object = try TestPrograms.open()
        #expect(throws: BPFError.variableNotFound(name: "no_such_variable")) {
            try object.setGlobal("no_such_variable", to: UInt32(1))
        }
        #expect(throws: BPFError.wrongVariableSize(name: "target_tgid", size: 8, expectedSize: 4)) {
            try object.setGlobal("target_tgid", to: UInt64(1))
        }
        #expect(throws: BPFError.wrongVariableSize(name: "target_tgid", size: 2, expectedSize: 4)) {
            try object.setGlobal("target_tgid", to: UInt16(1))
        }
        // The right size is accepted, and the object still loads.
        try object.setGlobal("target_tgid", to: UInt32(42))
        try object.load()
        #expect(object.isLoaded)
    }

    @Test("uses that need a loaded object throw notLoaded before load()")
    func notLoaded() throws {
        let object = try TestPrograms.open()
        #expect(throws: BPFError.notLoaded(operation: "bpf_map__fd(array_map)")) {
            try object.arrayMap(named: "array_map", value: UInt64.self)
        }
        #expect(throws: BPFError.notLoaded(operation: "bpf_map__fd(hash_map)")) {
            try object.hashMap(named: "hash_map", key: UInt32.self, value: UInt64.self)
        }
        #expect(throws: BPFError.notLoaded(operation: "bpf_map__fd(percpu_map)")) {
            try object.perCPUArrayMap(named: "percpu_map", value: UInt64.self)
        }
        #expect(throws: BPFError.notLoaded(operation: "bpf_map__fd(records)")) {
            try RingBuffer<TestRecord>(map: object.map(named: "records"))
        }
        let program = try object.program(named: "emit_records")
        #expect(throws: BPFError.notLoaded(operation: "bpf_program__fd(emit_records)")) {
            try program.run(context: TestPrograms.emitArguments(count: 1, base: 0))
        }
        #expect(throws: BPFError.notLoaded(operation: "bpf_program__fd(emit_records)")) {
            try program.info()
        }
        #expect(throws: BPFError.notLoaded(operation: "bpf_program__attach(count_getppid)")) {
            try object.program(named: "count_getppid").attach()
        }
    }

    @Test("configuring after load() throws alreadyLoaded, and so does a second load()")
    func alreadyLoaded() throws {
        let object = try TestPrograms.loaded()
        #expect(throws: BPFError.alreadyLoaded(operation: "bpf_object__load")) {
            try object.load()
        }
        #expect(throws: BPFError.alreadyLoaded(operation: "setGlobal(target_tgid)")) {
            try object.setGlobal("target_tgid", to: UInt32(1))
        }
        #expect(throws: BPFError.alreadyLoaded(operation: "bpf_program__set_autoload(spare)")) {
            try object.program(named: "spare").setAutoload(false)
        }
        #expect(throws: BPFError.alreadyLoaded(operation: "bpf_map__set_max_entries(records)")) {
            try object.map(named: "records").setMaxEntries(128 * 1024)
        }
    }

    @Test("a closed object throws closed")
    func closed() throws {
        let object = try TestPrograms.open()
        object.close()
        object.close()
        #expect(throws: BPFError.closed(operation: "bpf_object__load")) { try object.load() }
        #expect(throws: BPFError.closed(operation: "bpf_object__find_map_by_name")) {
            try object.map(named: "records")
        }
        #expect(object.programNames == [])
        #expect(object.mapNames == [])
    }

    @Test("setMaxEntries before load sizes the map the kernel creates")
    func setMaxEntries() throws {
        let object = try TestPrograms.open()
        let records = try object.map(named: "records")
        let arrayMap = try object.map(named: "array_map")
        #expect(try records.maxEntries == TestPrograms.ringSize)
        try records.setMaxEntries(256 * 1024)
        try arrayMap.setMaxEntries(3)
        try object.load()
        #expect(try records.maxEntries == 256 * 1024)
        #expect(try RingBuffer<TestRecord>(map: records).capacity == 256 * 1024)
        #expect(try object.arrayMap(named: "array_map", value: UInt64.self).count == 3)
    }
}
