import BPF

/// The test programs of `testprograms.bpf.c`, embedded by BPFCompilerPlugin.
enum TestPrograms {
    /// Every map of the object in libbpf's order (the `.maps` section's symbol order, as the
    /// toolchain's clang lays it out), then the internal `.rodata` map, which libbpf names after
    /// the object's first 8 characters.
    static let mapNames = ["records", "getppid_calls", "hash_map", "big_hash_map", "array_map", "percpu_map", "testprog.rodata"]
    /// Every program in libbpf's order: by ELF section, the two `syscall` programs together.
    static let programNames = ["emit_records", "spare", "count_getppid"]
    /// `records`' size in the C source (`max_entries`).
    static let ringSize = 64 * 1024
    /// `TEST_RECORD_TAG` in the C source.
    static let recordTag = "fileopend-test"
    /// `EMIT_MAX` in the C source.
    static let emitMax = 256

    /// Opens a fresh, unloaded object: every test gets its own maps.
    static func open() throws(BPFError) -> BPFObject {
        try BPFObject(bytes: EmbeddedBPF.testprograms, name: "testprograms")
    }

    /// Opens and loads a fresh object.
    static func loaded() throws(BPFError) -> BPFObject {
        let object = try open()
        try object.load()
        return object
    }

    /// The `struct emit_args` context of `emit_records`: count, discard_every (0: none), base.
    static func emitArguments(count: UInt32, base: UInt64, discardEvery: UInt32 = 0) -> [UInt8] {
        withUnsafeBytes(of: count.littleEndian, Array.init) + withUnsafeBytes(of: discardEvery.littleEndian, Array.init)
            + withUnsafeBytes(of: base.littleEndian, Array.init)
    }
}

/// One `struct test_record` from the `records` ring.
struct TestRecord: BPFRecordDecodable, Equatable, CustomStringConvertible {
    /// `sizeof(struct test_record)`.
    static let size = 32

    let seq: UInt32
    let count: UInt32
    let value: UInt64
    let tag: String

    init(seq: UInt32, count: UInt32, value: UInt64, tag: String = TestPrograms.recordTag) {
        self.seq = seq
        self.count = count
        self.value = value
        self.tag = tag
    }

    init(bpfRecord bytes: UnsafeRawBufferPointer) throws {
        var reader = BPFRecordReader(bytes)
        seq = try reader.read()
        count = try reader.read()
        value = try reader.read()
        tag = try reader.readCString(capacity: 16)
    }

    /// The records `emit_records` writes for `count` and `base`, in order.
    static func expected(count: UInt32, base: UInt64) -> [TestRecord] {
        (0..<count).map { TestRecord(seq: $0, count: count, value: base + UInt64($0) * 10) }
    }

    var description: String { "#\(seq)/\(count) \(value) \(tag)" }
}

/// The space one `TestRecord` takes in the ring: the 8-byte record header plus the record,
/// rounded up to 8 bytes.
let ringSlotSize = 8 + TestRecord.size
