import BPF
import FileOpenTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What a test handler throws to stop a drain.
struct HandlerStop: Error, Equatable {
    let seq: UInt32
}

/// A `TestRecord` whose decoder refuses the record with seq 2.
struct PickyRecord: BPFRecordDecodable {
    let record: TestRecord

    init(bpfRecord bytes: UnsafeRawBufferPointer) throws {
        record = try TestRecord(bpfRecord: bytes)
        guard record.seq != 2 else { throw BPFRecordError.invalid(field: "seq", value: "2") }
    }
}

/// A record type 8 bytes longer than what the ring holds: every record is truncated.
struct OversizedRecord: BPFRecordDecodable {
    let record: TestRecord
    let extra: UInt64

    init(bpfRecord bytes: UnsafeRawBufferPointer) throws {
        record = try TestRecord(bpfRecord: bytes)
        var reader = BPFRecordReader(bytes)
        _ = try reader.readBytes(count: TestRecord.size)
        extra = try reader.read()
    }
}

@Suite(
    "RingBuffer: typed records from a SEC(\"syscall\") program, and errors from handlers and decoders",
    .enabled(if: TestEnvironment.canRunKernelTests, Comment(rawValue: TestEnvironment.kernelTestsSkipReason))
)
struct RingBufferTests {
    /// A loaded object, its ring viewed as `Record`, and the program that fills it.
    struct Fixture<Record: BPFRecordDecodable> {
        let object: BPFObject
        let ring: RingBuffer<Record>
        let emit: BPFProgram

        init(_ record: Record.Type = Record.self) throws {
            object = try TestPrograms.loaded()
            ring = try RingBuffer<Record>(map: object.map(named: "records"))
            emit = try object.program(named: "emit_records")
        }

        /// Runs `emit_records` once; returns how many records it wrote (and did not discard).
        func emit(count: UInt32, base: UInt64, discardEvery: UInt32 = 0) throws -> UInt32 {
            try emit.run(context: TestPrograms.emitArguments(count: count, base: base, discardEvery: discardEvery))
        }
    }

    @Test("consume delivers every record, typed, in order; pendingBytes counts them until then")
    func consumeDeliversTypedRecords() throws {
        let fixture = try Fixture(TestRecord.self)
        let ring = fixture.ring
        #expect(ring.capacity == TestPrograms.ringSize)
        #expect(try ring.capacity == ring.map.maxEntries)
        #expect(ring.map.name == "records")
        #expect(ring.pendingBytes == 0)

        #expect(try fixture.emit(count: 20, base: 1000) == 20)
        #expect(ring.pendingBytes == 20 * ringSlotSize)

        var received: [TestRecord] = []
        let handled = try ring.consume { received.append($0) }
        #expect(handled == 20)
        #expect(received == TestRecord.expected(count: 20, base: 1000))
        #expect(received.first == TestRecord(seq: 0, count: 20, value: 1000, tag: "fileopend-test"))
        #expect(received.last == TestRecord(seq: 19, count: 20, value: 1190, tag: "fileopend-test"))
        #expect(ring.pendingBytes == 0)
        #expect(try ring.consume { _ in Issue.record("no record expected") } == 0)
    }

    @Test("consumeBytes stops after its limit, leaves the rest in order, and wait sees them")
    func consumeStopsAtTheLimit() throws {
        let fixture = try Fixture(TestRecord.self)
        let ring = fixture.ring
        #expect(try ring.wait(timeout: .milliseconds(10)) == false, "nothing to wait for")
        #expect(try fixture.emit(count: 20, base: 1000) == 20)
        #expect(try ring.wait(timeout: .seconds(5)), "records are ready")
        var received: [TestRecord] = []
        let decode: (UnsafeRawBufferPointer) throws -> Void = { received.append(try TestRecord(bpfRecord: $0)) }
        #expect(try ring.consumeBytes(limit: 8, handler: decode) == 8)
        #expect(received.count == 8)
        #expect(ring.pendingBytes == 12 * ringSlotSize, "the rest stays in the ring")
        #expect(try ring.consumeBytes(limit: 8, handler: decode) == 8)
        #expect(try ring.consumeBytes(limit: 8, handler: decode) == 4)
        #expect(received == TestRecord.expected(count: 20, base: 1000))
        #expect(try ring.consumeBytes(limit: 8, handler: decode) == 0)
        #expect(try ring.wait(timeout: .milliseconds(10)) == false, "drained")
    }

    @Test("poll wakes for records and delivers them in order; an empty poll times out with 0")
    func pollDeliversTypedRecords() throws {
        let fixture = try Fixture(TestRecord.self)
        let ring = fixture.ring
        #expect(try ring.poll(timeout: .milliseconds(10)) { _ in Issue.record("no record expected") } == 0)

        #expect(try fixture.emit(count: 5, base: 7) == 5)
        #expect(try fixture.emit(count: 3, base: 500) == 3)
        #expect(ring.pendingBytes == 8 * ringSlotSize)
        var received: [TestRecord] = []
        let handled = try ring.poll(timeout: .seconds(5)) { received.append($0) }
        #expect(handled == 8)
        #expect(received == TestRecord.expected(count: 5, base: 7) + TestRecord.expected(count: 3, base: 500))
        #expect(ring.pendingBytes == 0)
    }

    @Test("the program stops at EMIT_MAX records and a full ring refuses the rest")
    func programBoundAndFullRing() throws {
        let fixture = try Fixture(TestRecord.self)
        #expect(try fixture.emit(count: 1000, base: 0) == UInt32(TestPrograms.emitMax))
        #expect(fixture.ring.pendingBytes == TestPrograms.emitMax * ringSlotSize)
        // 64 KiB hold 1638 slots of 40 bytes: after 256 + 6 * 256 = 1792 attempts it is full.
        var written = UInt32(TestPrograms.emitMax)
        for _ in 0..<6 { written += try fixture.emit(count: 256, base: 0) }
        #expect(written == UInt32(TestPrograms.ringSize / ringSlotSize))
        #expect(try fixture.ring.consume { _ in } == TestPrograms.ringSize / ringSlotSize)
        #expect(fixture.ring.pendingBytes == 0)
    }

    @Test("discarded records take their space but never reach the handler")
    func discardedRecordsAreSkipped() throws {
        let fixture = try Fixture(TestRecord.self)
        #expect(try fixture.emit(count: 10, base: 0, discardEvery: 3) == 7)
        #expect(fixture.ring.pendingBytes == 10 * ringSlotSize, "a discarded record holds its slot until consumed")
        var seen: [UInt32] = []
        #expect(try fixture.ring.consume { seen.append($0.seq) } == 7)
        #expect(seen == [0, 1, 3, 4, 6, 7, 9])
        #expect(fixture.ring.pendingBytes == 0)
    }

    @Test("records that wrap around the ring's end read whole and in order, lap after lap")
    func wrapAroundTheEnd() throws {
        let fixture = try Fixture(TestRecord.self)
        // 64 KiB is not a multiple of 40-byte slots, so some record straddles the end each lap;
        // 5 laps of 64 KiB, in batches of 200 records consumed 60 at a time.
        var expected: [TestRecord] = []
        var received: [TestRecord] = []
        var base: UInt64 = 0
        while expected.count * ringSlotSize < 5 * TestPrograms.ringSize {
            #expect(try fixture.emit(count: 200, base: base) == 200)
            expected += TestRecord.expected(count: 200, base: base)
            base += 1_000_000
            let decode: (UnsafeRawBufferPointer) throws -> Void = { received.append(try TestRecord(bpfRecord: $0)) }
            while try fixture.ring.consumeBytes(limit: 60, handler: decode) == 60 {}
            #expect(fixture.ring.pendingBytes == 0)
        }
        #expect(received.count == expected.count)
        #expect(received == expected)
    }

    @Test("raw [UInt8] records are the C struct's bytes")
    func rawRecords() throws {
        let fixture = try Fixture([UInt8].self)
        #expect(try fixture.emit(count: 2, base: 0x0102_0304_0506_0708) == 2)
        var received: [[UInt8]] = []
        #expect(try fixture.ring.consume { received.append($0) } == 2)
        let tag = Array("fileopend-test".utf8) + [0, 0]
        #expect(received[0] == [0, 0, 0, 0, 2, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1] + tag)
        #expect(received[1] == [1, 0, 0, 0, 2, 0, 0, 0, 0x12, 7, 6, 5, 4, 3, 2, 1] + tag)
    }

    @Test("a throwing handler stops consume after its record; the next consume delivers the rest")
    func handlerThrowsFromConsume() throws {
        let fixture = try Fixture(TestRecord.self)
        #expect(try fixture.emit(count: 10, base: 0) == 10)
        var seen: [UInt32] = []
        #expect(throws: HandlerStop(seq: 3)) {
            try fixture.ring.consume { record in
                seen.append(record.seq)
                if record.seq == 3 { throw HandlerStop(seq: 3) }
            }
        }
        #expect(seen == [0, 1, 2, 3])
        #expect(fixture.ring.pendingBytes == 6 * ringSlotSize)

        var rest: [UInt32] = []
        #expect(try fixture.ring.consume { rest.append($0.seq) } == 6)
        #expect(rest == [4, 5, 6, 7, 8, 9])
        #expect(fixture.ring.pendingBytes == 0)
    }

    @Test("a throwing handler stops poll after its record; the next poll delivers the rest")
    func handlerThrowsFromPoll() throws {
        let fixture = try Fixture(TestRecord.self)
        #expect(try fixture.emit(count: 10, base: 0) == 10)
        var seen: [UInt32] = []
        #expect(throws: HandlerStop(seq: 0)) {
            try fixture.ring.poll(timeout: .seconds(5)) { record in
                seen.append(record.seq)
                throw HandlerStop(seq: record.seq)
            }
        }
        #expect(seen == [0])
        #expect(fixture.ring.pendingBytes == 9 * ringSlotSize)

        var rest: [UInt32] = []
        #expect(try fixture.ring.poll(timeout: .seconds(5)) { rest.append($0.seq) } == 9)
        #expect(rest == Array(1...9))
        #expect(fixture.ring.pendingBytes == 0)
    }

    @Test("a decoder that refuses a value throws its BPFRecordError from consume and poll")
    func decoderRefusesValue() throws {
        for drain in Drain.allCases {
            let fixture = try Fixture(PickyRecord.self)
            #expect(try fixture.emit(count: 6, base: 40) == 6)
            var seen: [UInt32] = []
            #expect(throws: BPFRecordError.invalid(field: "seq", value: "2"), "\(drain)") {
                try drain.run(fixture.ring) { seen.append($0.record.seq) }
            }
            // Records 0 and 1 were handled, 2 was consumed without reaching the handler.
            #expect(seen == [0, 1], "\(drain)")
            #expect(fixture.ring.pendingBytes == 3 * ringSlotSize, "\(drain)")
            var rest: [TestRecord] = []
            #expect(try drain.run(fixture.ring) { rest.append($0.record) } == 3, "\(drain)")
            #expect(rest == Array(TestRecord.expected(count: 6, base: 40).suffix(3)), "\(drain)")
        }
    }

    @Test("records shorter than the decoder's type throw BPFRecordError.truncated, one per call")
    func decoderTruncated() throws {
        for drain in Drain.allCases {
            let fixture = try Fixture(OversizedRecord.self)
            #expect(try fixture.emit(count: 2, base: 0) == 2)
            let truncated = BPFRecordError.truncated(field: "UInt64", offset: 32, needed: 8, recordSize: 32)
            #expect(throws: truncated, "\(drain)") {
                try drain.run(fixture.ring) { _ in Issue.record("the handler must not see an undecodable record") }
            }
            #expect(fixture.ring.pendingBytes == ringSlotSize, "\(drain)")
            #expect(throws: truncated, "\(drain)") {
                try drain.run(fixture.ring) { _ in Issue.record("the handler must not see an undecodable record") }
            }
            #expect(fixture.ring.pendingBytes == 0, "\(drain)")
            #expect(try fixture.ring.consume { _ in } == 0, "\(drain)")
        }
    }

    @Test("a closed ring throws closed and reports nothing pending")
    func closedRing() throws {
        let fixture = try Fixture(TestRecord.self)
        #expect(try fixture.emit(count: 3, base: 0) == 3)
        fixture.ring.close()
        fixture.ring.close()
        #expect(throws: BPFError.closed(operation: "consume(ring buffer records)")) { try fixture.ring.consume { _ in } }
        #expect(throws: BPFError.closed(operation: "epoll_wait(ring buffer records)")) {
            try fixture.ring.poll(timeout: .zero) { _ in }
        }
        #expect(throws: BPFError.closed(operation: "epoll_wait(ring buffer records)")) { try fixture.ring.wait(timeout: .zero) }
        #expect(fixture.ring.pendingBytes == 0)
    }

    @Test("wait ends on a wakeup, not on records merely pending; poll drains what is pending at once")
    func waitIsEdgeTriggered() throws {
        let fixture = try Fixture(TestRecord.self)
        let ring = fixture.ring
        // emit_records submits with the default policy: a wakeup for the first record after a drain.
        #expect(try fixture.emit(count: 4, base: 0) == 4)
        #expect(try ring.wait(timeout: .seconds(5)), "the wakeup of the first record")
        #expect(try ring.wait(timeout: .milliseconds(20)) == false, "4 records pending, but no new wakeup")
        #expect(try fixture.emit(count: 2, base: 100) == 2)
        #expect(try ring.wait(timeout: .milliseconds(20)) == false, "the consumer had not caught up: no wakeup sent")
        var received: [UInt32] = []
        #expect(try ring.poll(timeout: .seconds(5)) { received.append($0.seq) } == 6, "pending records: no wait")
        #expect(received == [0, 1, 2, 3, 0, 1])
        #expect(try fixture.emit(count: 1, base: 200) == 1)
        #expect(try ring.wait(timeout: .seconds(5)), "caught up: the next record wakes it")
    }

    /// The two ways to drain, for tests that must hold for both.
    enum Drain: CaseIterable, CustomStringConvertible {
        case consume, poll

        func run<Record>(_ ring: RingBuffer<Record>, _ handler: (Record) throws -> Void) throws -> Int {
            switch self {
            case .consume: try ring.consume(handler: handler)
            case .poll: try ring.poll(timeout: .seconds(5), handler: handler)
            }
        }

        var description: String { self == .consume ? "consume" : "poll" }
    }
}
