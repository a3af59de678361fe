import FileOpenCore
import FileOpenTestSupport
import Foundation
import Testing

/// The query protocol's one schema: the report types, the envelope and the tail lines, encoded by
/// `QueryJSON` and decoded back; and the hand-written event lines, decoded by `JSONDecoder`.
@Suite("Query schema: every reply type round-trips; every hand-written event line decodes")
struct QuerySchemaTests {
    static let status = StatusReport(
        daemonVersion: "0.3.0", kernelRelease: "6.18.0", attachMode: "tracepoint", uptimeSeconds: 12.5,
        records: .init(open: 1200, exit: 31, undecodable: 0),
        drops: ["ring_buffer_full": 7, "pending_map_full": 0], missedOpens: 0,
        missedMaps: ["missed": .init(entries: 12, capacity: 65536), "missed_comms": .init(entries: 0, capacity: 20000)],
        ringBuffer: .init(sizeBytes: 4_194_304, pendingBytes: 0), trackedProcesses: 57, trackedComms: 20,
        clients: .init(connected: 1, tailing: 0, tailDroppedEvents: 0))
    static let top = TopReport(by: .errorsRate, windowSeconds: 10, processes: [
        .init(pid: 1234, comm: "nginx", startNs: 123_456, exited: false, opens: 500, errors: 12, opensPerSecond: 3.25,
              errorsPerSecond: 1e-7),
        .init(pid: 42, comm: "a\nb\u{1b}", startNs: 1, exited: true, opens: .max, errors: 0, opensPerSecond: 0,
              errorsPerSecond: 0),
    ])
    static let process = ProcessReport(
        pid: 1234, comm: "nginx", startNs: 123_456, firstSeenNs: 1, lastSeenNs: 2, exited: false, exitedNs: nil,
        opens: 500, failed: 12, missed: 0, creates: 3, byAccess: ["read": 480, "write": 15, "read_write": 5],
        errors: ["ENOENT": 10, "EACCES": 2], topPaths: [.init(path: "/etc/hosts", opens: 120, resolution: .file)], topPathsCapacity: 8,
        topPathsOpens: 500)

    /// `value` in a success reply, as the daemon writes it, decoded as a client does.
    static func roundTrip<Report: Codable & Sendable & Equatable>(_ value: Report, as result: QueryResult) throws -> Report {
        let line = QueryReply.success(result)
        #expect(line.last == 0x0A && !line.dropLast().contains(0x0A))
        let envelope = try QueryJSON.decode(QueryReply.Envelope<Report>.self, from: line.dropLast())
        return try envelope.outcome.get()
    }

    @Test("status, top, proc, reset and tail's reply come back as they were sent")
    func reportsRoundTrip() throws {
        #expect(try Self.roundTrip(Self.status, as: .status(Self.status)) == Self.status)
        var filtered = Self.status
        filtered.filters = .init(rules: ["exclude uid=0", "failed-only"], filteredOpens: ["uid": 5, "failed_only": 9])
        #expect(try Self.roundTrip(filtered, as: .status(filtered)) == filtered)
        #expect(try Self.roundTrip(Self.top, as: .top(Self.top)) == Self.top)
        #expect(try Self.roundTrip(Self.process, as: .proc(Self.process)) == Self.process)
        var exited = Self.process
        exited.exited = true
        exited.exitedNs = .max
        #expect(try Self.roundTrip(exited, as: .proc(exited)) == exited)
        let reset = ResetReport(processes: 57)
        #expect(try Self.roundTrip(reset, as: .reset(reset)) == reset)
        #expect(try Self.roundTrip(StreamingReport(), as: .streaming(StreamingReport())) == StreamingReport())
    }

    @Test("The wire text: members sorted by name, null where a value does not apply, as docs/query-protocol.md shows")
    func wireText() {
        #expect(String(decoding: QueryReply.success(.proc(Self.process)), as: UTF8.self) == #"""
            {"ok":true,"result":{"by_access":{"read":480,"read_write":5,"write":15},"comm":"nginx","creates":3,"detail_level":"events","errors":{"EACCES":2,"ENOENT":10},"exited":false,"exited_ns":null,"failed":12,"first_seen_ns":1,"last_seen_ns":2,"missed":0,"opens":500,"pid":1234,"start_ns":123456,"top_paths":[{"opens":120,"passed_path":"/etc/hosts","path":"/etc/hosts","resolution":"file"}],"top_paths_capacity":8,"top_paths_opens":500},"version":1}

            """#)
        #expect(String(decoding: QueryReply.success(.top(Self.top)), as: UTF8.self).hasPrefix(
            #"{"ok":true,"result":{"by":"errors_rate","processes":[{"comm":"nginx","errors":12,"errors_per_second":1e-07,"#))
    }

    @Test("An error reply decodes as the error, whatever result the client expected; an unknown code is kept")
    func errors() throws {
        let error = QueryError(.permissionDenied, "reset needs root")
        let reply = try QueryJSON.decode(QueryReply.Envelope<StatusReport>.self, from: error.replyLine.dropLast())
        #expect(throws: error) { try reply.outcome.get() }
        let newer = #"{"error":{"code":"rate_limited","message":"slow down"},"ok":false,"version":1}"#
        let unknown = try QueryJSON.decode(QueryReply.Envelope<StatusReport>.self, from: Array(newer.utf8))
        #expect(throws: QueryError(QueryError.Code(rawValue: "rate_limited"), "slow down")) { try unknown.outcome.get() }
    }

    @Test("Another version is refused before the rest is read; a missing member is named")
    func versionAndMissingMembers() {
        #expect(throws: QueryReply.VersionMismatch(version: 2)) {
            try QueryJSON.decode(QueryReply.Envelope<StatusReport>.self, from: Array(#"{"version":2,"ok":true}"#.utf8))
        }
        #expect {
            try QueryJSON.decode(
                QueryReply.Envelope<ResetReport>.self, from: Array(#"{"version":1,"ok":true,"result":{"reset":true}}"#.utf8))
        } throws: { error in
            guard case .keyNotFound(let key, _) = error as? DecodingError else { return false }
            return key.stringValue == "processes"
        }
    }

    @Test("Tail lines: events, drop counts, the error that ends a stream, kinds a newer daemon may add")
    func tailLines() throws {
        let record = Records.open(pid: 5, path: "/a\nb")
        #expect(try QueryJSON.decode(TailStreamLine.self, from: QueryReply.event(record).dropLast()) == .record(record))
        #expect(try QueryJSON.decode(TailStreamLine.self, from: QueryReply.dropped(17).dropLast()) == .dropped(17))
        let error = QueryError(.internal, "shutting down")
        #expect(try QueryJSON.decode(TailStreamLine.self, from: error.replyLine.dropLast()) == .error(error))
        let future = #"{"event":"rename","pid":1,"from":"/a","to":"/b"}"#
        #expect(try QueryJSON.decode(TailStreamLine.self, from: Array(future.utf8)) == .unknownEvent(kind: "rename"))
        for line in TailStreamLine.allExamples {
            #expect(try QueryJSON.decode(TailStreamLine.self, from: QueryJSON.encode(line)) == line)
        }
        for bad in ["x", "[]", #"{"dropped":-1}"#, #"{"something":1}"#, #"{"ok":true,"result":{},"version":1}"#,
                    #"{"event":"open","pid":1}"#, #"{"event":5}"#] {
            #expect(throws: (any Error).self, "\(bad)") { try QueryJSON.decode(TailStreamLine.self, from: Array(bad.utf8)) }
        }
    }

    /// A string of `length` scalars drawn from what kernel strings may hold: ASCII, quotes and
    /// backslashes, C0 and C1 controls, DEL, bidirectional and line-separator characters, other
    /// Unicode, and the `\xNN` text that stands for an invalid byte.
    static func hostileString(_ generator: inout SplitMix64, length: Int) -> String {
        let pieces = ["a", "/", "\"", "\\", "\n", "\r", "\t", "\u{0}", "\u{1b}", "\u{7f}", "\u{85}", "\u{9b}",
                      "\u{202e}", "\u{2028}", "\u{2066}", "é", "漢", "😀", "\\xff", "\u{fffd}", " "]
        return (0..<length).map { _ in pieces[Int.random(in: 0..<pieces.count, using: &generator)] }.joined()
    }

    static func randomRecord(_ generator: inout SplitMix64) -> ProbeRecord {
        let process = ProcessIdentity(
            pid: Int32.random(in: 1...Int32.max, using: &generator), startTime: UInt64.random(in: 0...UInt64.max, using: &generator))
        let comm = hostileString(&generator, length: Int.random(in: 0...15, using: &generator))
        if Int.random(in: 0..<8, using: &generator) == 0 {
            return .exit(ProcessExitEvent(
                timestamp: .random(in: 0...UInt64.max, using: &generator), process: process, comm: comm,
                exitCode: .random(in: Int64.min...Int64.max, using: &generator)))
        }
        let failed = Bool.random(using: &generator)
        return .open(FileOpenEvent(
            timestamp: .random(in: 0...UInt64.max, using: &generator), process: process,
            tid: .random(in: 1...Int32.max, using: &generator), uid: .random(in: 0...UInt32.max, using: &generator),
            cgroupID: .random(in: 0...UInt64.max, using: &generator),
            syscall: OpenSyscall.allCases[Int.random(in: 0..<OpenSyscall.allCases.count, using: &generator)],
            flags: OpenFlags(rawValue: .random(in: 0...UInt32.max, using: &generator)),
            mode: .random(in: 0...UInt32.max, using: &generator),
            result: failed ? -Int64.random(in: 1...4095, using: &generator) : .random(in: 0...Int64(Int32.max), using: &generator),
            comm: comm, path: hostileString(&generator, length: Int.random(in: 0...64, using: &generator)),
            pathTruncated: .random(using: &generator), pathUnreadable: .random(using: &generator)))
    }

    /// An object's members sorted by name, as the strict parser reads them: the same values
    /// whatever the order and whichever of JSON's equivalent escapes a writer chose.
    static func members(_ line: some Collection<UInt8>) throws -> [String] {
        guard case .object(let object) = try JSONValue(parsing: line) else { return [] }
        return object.members.map { "\($0.key)=\($0.value)" }.sorted()
    }

    @Test("20 000 random records: each hand-written line is one line that JSONDecoder reads back as the record, with the members JSONEncoder writes")
    func handWrittenLinesDecode() throws {
        var generator = SplitMix64(seed: 0x5343_4845_4D41)
        var bytes: [UInt8] = []
        for _ in 0..<20_000 {
            let record = Self.randomRecord(&generator)
            bytes.removeAll(keepingCapacity: true)
            EventLineFormatter.appendJSONLine(record, to: &bytes)
            let line = bytes.dropLast()
            #expect(bytes.last == 0x0A && !line.contains(0x0A), "\(record)")
            let decoded = try QueryJSON.decode(ProbeRecord.self, from: line)
            #expect(decoded == record)
            #expect(try Self.members(line) == Self.members(QueryJSON.encode(record)), "\(record)")
            if decoded != record { break }
        }
    }

    @Test("Request lines decode strictly as the request they came from, for every command")
    func requestsRoundTrip() throws {
        var generator = SplitMix64(seed: 0x5245_5155_4553)
        for _ in 0..<2000 {
            let filterText = { (generator: inout SplitMix64) -> String? in
                Bool.random(using: &generator) ? nil : "x" + Self.hostileString(&generator, length: Int.random(in: 0...20, using: &generator))
            }
            let request: QueryRequest = switch Int.random(in: 0..<5, using: &generator) {
            case 0: .status
            case 1: .reset
            case 2: .proc(pid: .random(in: 1...Int32.max, using: &generator))
            case 3: .top(by: TopOrder.allCases.randomElement(using: &generator)!, limit: .random(in: QueryRequest.topLimits, using: &generator),
                         comm: filterText(&generator))
            default: .tail(TailFilter(
                pid: Bool.random(using: &generator) ? nil : .random(in: 1...Int32.max, using: &generator),
                comm: filterText(&generator), pathPrefix: filterText(&generator), failedOnly: .random(using: &generator)))
            }
            #expect(try QueryRequest.decode(line: Array(request.line.utf8.dropLast())) == request)
        }
    }
}

extension TailStreamLine {
    static let allExamples: [TailStreamLine] = [
        .record(Records.open(pid: 1, path: "/x")), .record(.exit(ProcessExitEvent(
            timestamp: 5, process: ProcessIdentity(pid: 77, startTime: 8), comm: "sh", exitCode: 256))),
        .unknownEvent(kind: "rename"), .dropped(0), .dropped(.max), .error(QueryError(.busy, "too many clients")),
    ]
}
