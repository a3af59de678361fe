import FileOpenCore
import FileOpenTestSupport
import Testing

@Suite("Query requests: strict decoding, replies")
struct QueryRequestTests {
    static let valid: [(String, QueryRequest)] = [
        (#"{"version":1,"command":"status"}"#, .status),
        (#"{"command":"reset","version":1}"#, .reset),
        (#"{"version":1,"command":"top"}"#, .top(by: .opens, limit: 20, comm: nil)),
        (#"{"version":1,"command":"top","by":"opens","limit":1}"#, .top(by: .opens, limit: 1, comm: nil)),
        (#"{"version":1,"command":"top","by":"errors","limit":1000}"#, .top(by: .errors, limit: 1000, comm: nil)),
        (#"{"version":1,"command":"top","by":"opens_rate","comm":"nginx"}"#,
         .top(by: .opensRate, limit: 20, comm: "nginx")),
        (#"{"version":1,"command":"top","by":"errors_rate","limit":7,"comm":"a b"}"#,
         .top(by: .errorsRate, limit: 7, comm: "a b")),
        (#"{"version":1,"command":"proc","pid":1}"#, .proc(pid: 1)),
        (#"{"version":1,"command":"proc","pid":2147483647}"#, .proc(pid: Int32.max)),
        (#"{"version":1,"command":"tail"}"#, .tail(TailFilter())),
        (#"{"version":1,"command":"tail","pid":42}"#, .tail(TailFilter(pid: 42))),
        (#"{"version":1,"command":"tail","comm":"cat"}"#, .tail(TailFilter(comm: "cat"))),
        (#"{"version":1,"command":"tail","path_prefix":"/etc/"}"#, .tail(TailFilter(pathPrefix: "/etc/"))),
        (#"{"version":1,"command":"tail","failed":true}"#, .tail(TailFilter(failedOnly: true))),
        (#"{"version":1,"command":"tail","failed":false}"#, .tail(TailFilter())),
        (#"{"version":1,"command":"tail","pid":7,"comm":"sh","path_prefix":"/tmp","failed":true}"#,
         .tail(TailFilter(pid: 7, comm: "sh", pathPrefix: "/tmp", failedOnly: true))),
        // Whitespace anywhere JSON allows it, a trailing \r (CRLF clients), escapes of every kind.
        (" \t{ \"command\" : \"status\" ,\r\n \"version\" : 1 } \r", .status),
        (#"{"version":1,"command":"tail","comm":"a\"b\\c\/d\u0041\n\t","path_prefix":"\u00e9\ud83d\ude00"}"#,
         .tail(TailFilter(comm: "a\"b\\c/dA\n\t", pathPrefix: "é😀"))),
        (#"{"version":1,"command":"top","comm":"\u0000x"}"#, .top(by: .opens, limit: 20, comm: "\u{0}x")),
        ("{\"version\":1,\"command\":\"top\",\"comm\":\"caf\u{e9}\"}", .top(by: .opens, limit: 20, comm: "café")),
        ("{\"version\":1,\"command\":\"proc\",\"pid\":12}\n", .proc(pid: 12)),
    ]

    @Test("Every command with every argument decodes, and survives a round trip through its line", arguments: valid)
    func decodesValid(line: String, expected: QueryRequest) throws {
        let request = try QueryRequest.decode(line: Array(line.utf8))
        #expect(request == expected)
        let encoded = request.line
        #expect(encoded.hasSuffix("\n") && encoded.filter { $0 == "\n" }.count == 1)
        #expect(try QueryRequest.decode(line: Array(encoded.utf8.dropLast())) == request)
        #expect(request.requiresAdmin == (request == .reset))
    }

    static let hostile: [(bytes: [UInt8], code: QueryError.Code, mentions: String)] = [
        (Array("".utf8), .invalidJSON, "JSON"),
        (Array("   ".utf8), .invalidJSON, "JSON"),
        (Array("hello".utf8), .invalidJSON, "JSON"),
        (Array(#"{"version":1,"command":"status""#.utf8), .invalidJSON, "end of the line"),
        (Array(#"{"version":1,"command":"status"}x"#.utf8), .invalidJSON, "JSON"),
        (Array(#"{"version":1,"command":"status"}{"version":1}"#.utf8), .invalidJSON, "JSON"),
        (Array(#"{"version":1,}"#.utf8), .invalidJSON, "JSON"),
        (Array(#"{'version':1}"#.utf8), .invalidJSON, "JSON"),
        (Array(#"{"version":01,"command":"status"}"#.utf8), .invalidJSON, "leading zero"),
        (Array(#"{"version":1,"command":"st\x"}"#.utf8), .invalidJSON, "JSON"),
        (Array(#"{"version":1,"command":"\ud800"}"#.utf8), .invalidJSON, "surrogate"),
        (Array(#"{"version":1,"command":"\udc00"}"#.utf8), .invalidJSON, "surrogate"),
        (Array("{\"version\":1,\"command\":\"a\u{1}b\"}".utf8), .invalidJSON, "control character"),
        (Array(#"{"version":NaN,"command":"status"}"#.utf8), .invalidJSON, "JSON"),
        (Array(#"{"version":1.,"command":"status"}"#.utf8), .invalidJSON, "digit"),
        (Array(#"{"version":-,"command":"status"}"#.utf8), .invalidJSON, "digit"),
        ([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1], .invalidJSON, "UTF-8"),
        ([0x00, 0x01, 0x02, 0x7f], .invalidJSON, "JSON"),
        (Array(#"{"version":1,"command":""#.utf8) + [0xff, 0xfe] + Array(#""}"#.utf8), .invalidJSON, "UTF-8"),
        (Array(#"{"version":1,"command":""#.utf8) + [0xc0, 0xaf] + Array(#""}"#.utf8), .invalidJSON, "UTF-8"),
        (Array(#"{"version":1,"command":""#.utf8) + [0xed, 0xa0, 0x80] + Array(#""}"#.utf8), .invalidJSON, "UTF-8"),
        (Array(#"[{"version":1,"command":"status"}]"#.utf8), .notAnObject, "array"),
        (Array(#""status""#.utf8), .notAnObject, "string"),
        (Array("42".utf8), .notAnObject, "integer"),
        (Array("true".utf8), .notAnObject, "boolean"),
        (Array("null".utf8), .notAnObject, "null"),
        (Array("{}".utf8), .unsupportedVersion, "version"),
        (Array(#"{"command":"status"}"#.utf8), .unsupportedVersion, "version"),
        (Array(#"{"version":2,"command":"status"}"#.utf8), .unsupportedVersion, "2"),
        (Array(#"{"version":0,"command":"status"}"#.utf8), .unsupportedVersion, "version"),
        (Array(#"{"version":"1","command":"status"}"#.utf8), .unsupportedVersion, "string"),
        (Array(#"{"version":1.0,"command":"status"}"#.utf8), .unsupportedVersion, "fraction"),
        (Array(#"{"version":true,"command":"status"}"#.utf8), .unsupportedVersion, "boolean"),
        (Array(#"{"version":1}"#.utf8), .invalidArgument, "\"command\""),
        (Array(#"{"version":1,"command":5}"#.utf8), .invalidArgument, "\"command\""),
        (Array(#"{"version":1,"command":null}"#.utf8), .invalidArgument, "\"command\""),
        (Array(#"{"version":1,"command":"Status"}"#.utf8), .unknownCommand, "\"Status\""),
        (Array(#"{"version":1,"command":"shutdown"}"#.utf8), .unknownCommand, "status, top, proc, tail, reset"),
        (Array(#"{"version":1,"command":"status","verbose":true}"#.utf8), .invalidArgument, "\"verbose\""),
        (Array(#"{"version":1,"command":"reset","force":true}"#.utf8), .invalidArgument, "\"force\""),
        (Array(#"{"version":1,"command":"top","limt":5}"#.utf8), .invalidArgument, "\"limt\""),
        (Array(#"{"version":1,"command":"proc","pid":1,"path_prefix":"/"}"#.utf8), .invalidArgument, "\"path_prefix\""),
        (Array(#"{"version":1,"command":"tail","by":"opens"}"#.utf8), .invalidArgument, "\"by\""),
        (Array(#"{"version":1,"command":"top","limit":5,"limit":6}"#.utf8), .invalidArgument, "\"limit\""),
        (Array(#"{"version":1,"version":1,"command":"status"}"#.utf8), .invalidArgument, "\"version\""),
        (Array(#"{"version":1,"command":"proc","pid":true}"#.utf8), .invalidArgument, "\"pid\""),
        (Array(#"{"version":1,"command":"proc","pid":1.5}"#.utf8), .invalidArgument, "\"pid\""),
        (Array(#"{"version":1,"command":"proc","pid":1.0}"#.utf8), .invalidArgument, "\"pid\""),
        (Array(#"{"version":1,"command":"proc","pid":1e2}"#.utf8), .invalidArgument, "\"pid\""),
        (Array(#"{"version":1,"command":"proc","pid":"12"}"#.utf8), .invalidArgument, "\"pid\""),
        (Array(#"{"version":1,"command":"proc","pid":null}"#.utf8), .invalidArgument, "leave the key out"),
        (Array(#"{"version":1,"command":"proc","pid":[12]}"#.utf8), .invalidArgument, "\"pid\""),
        (Array(#"{"version":1,"command":"proc","pid":{"n":12}}"#.utf8), .invalidArgument, "\"pid\""),
        (Array(#"{"version":1,"command":"proc"}"#.utf8), .invalidArgument, "\"pid\""),
        (Array(#"{"version":1,"command":"proc","pid":0}"#.utf8), .invalidArgument, "\"pid\""),
        (Array(#"{"version":1,"command":"proc","pid":-1}"#.utf8), .invalidArgument, "\"pid\""),
        (Array(#"{"version":1,"command":"proc","pid":-0}"#.utf8), .invalidArgument, "\"pid\""),
        (Array(#"{"version":1,"command":"proc","pid":2147483648}"#.utf8), .invalidArgument, "\"pid\""),
        (Array(#"{"version":1,"command":"proc","pid":123456789012345678901234567890}"#.utf8), .invalidArgument,
         "out of range"),
        (Array(#"{"version":1,"command":"proc","pid":-9223372036854775809}"#.utf8), .invalidArgument, "out of range"),
        (Array(#"{"version":1,"command":"proc","pid":1e400}"#.utf8), .invalidArgument, "\"pid\""),
        (Array(#"{"version":1,"command":"tail","failed":1}"#.utf8), .invalidArgument, "\"failed\""),
        (Array(#"{"version":1,"command":"tail","failed":"true"}"#.utf8), .invalidArgument, "\"failed\""),
        (Array(#"{"version":1,"command":"tail","pid":true}"#.utf8), .invalidArgument, "\"pid\""),
        (Array(#"{"version":1,"command":"tail","comm":""}"#.utf8), .invalidArgument, "\"comm\""),
        (Array(#"{"version":1,"command":"tail","comm":7}"#.utf8), .invalidArgument, "\"comm\""),
        (Array(#"{"version":1,"command":"tail","path_prefix":""}"#.utf8), .invalidArgument, "\"path_prefix\""),
        (Array(#"{"version":1,"command":"top","limit":0}"#.utf8), .invalidArgument, "\"limit\""),
        (Array(#"{"version":1,"command":"top","limit":1001}"#.utf8), .invalidArgument, "\"limit\""),
        (Array(#"{"version":1,"command":"top","limit":-5}"#.utf8), .invalidArgument, "\"limit\""),
        (Array(#"{"version":1,"command":"top","limit":"5"}"#.utf8), .invalidArgument, "\"limit\""),
        (Array(#"{"version":1,"command":"top","limit":false}"#.utf8), .invalidArgument, "\"limit\""),
        (Array(#"{"version":1,"command":"top","by":"bytes"}"#.utf8), .invalidArgument, "\"by\""),
        (Array(#"{"version":1,"command":"top","by":1}"#.utf8), .invalidArgument, "\"by\""),
        (Array(#"{"version":1,"command":"top","comm":["a"]}"#.utf8), .invalidArgument, "\"comm\""),
        // Deep nesting: checked with a heap stack, never by recursion.
        (Array(repeating: UInt8(ascii: "["), count: 10_000), .invalidJSON, "end of the line"),
        (Array(repeating: UInt8(ascii: "["), count: 10_000) + Array(repeating: UInt8(ascii: "]"), count: 10_000),
         .notAnObject, "array"),
        (Array(#"{"version":1,"command":"status","x":"#.utf8) + Array(repeating: UInt8(ascii: "["), count: 5000)
            + Array(repeating: UInt8(ascii: "]"), count: 5000) + [UInt8(ascii: "}")], .invalidArgument, "\"x\""),
        (Array(String(repeating: #"{"a":"#, count: 3000).utf8) + [UInt8(ascii: "1")]
            + Array(repeating: UInt8(ascii: "}"), count: 3000), .unsupportedVersion, "version"),
        (Array(String(repeating: #"{"a":["#, count: 3000).utf8), .invalidJSON, "JSON"),
        (Array(#"{"version":1,"command":"status","x":[1,{"y":[true,null,"z",-1.5e3]}],"w":{}}"#.utf8),
         .invalidArgument, "\"w\""),
        (Array(#"{"version":1,"command":"status","x":[1,]}"#.utf8), .invalidJSON, "JSON"),
        (Array(#"{"version":1,"command":"status","x":{"y"}}"#.utf8), .invalidJSON, "':'"),
        (Array(#"{"version":1,"command":"status","x":[1 2]}"#.utf8), .invalidJSON, "','"),
    ]

    @Test("Hostile lines get their error code and a message naming the key", arguments: hostile)
    func refusesHostile(bytes: [UInt8], code: QueryError.Code, mentions: String) {
        do {
            let request = try QueryRequest.decode(line: bytes)
            Issue.record("decoded as \(request)")
        } catch {
            #expect(error.code == code, "\(error)")
            #expect(error.message.contains(mentions), "\(error)")
            #expect(error.message.utf8.count < 400, "\(error)")
        }
    }

    @Test("A 4 KB key comes back cut to 64 characters in the message")
    func longKeyIsCut() {
        let key = String(repeating: "k", count: 4000)
        #expect(throws: QueryError.self) {
            try QueryRequest.decode(line: Array(#"{"version":1,"command":"status","\#(key)":1}"#.utf8))
        }
        do {
            _ = try QueryRequest.decode(line: Array(#"{"version":1,"command":"status","\#(key)":1}"#.utf8))
        } catch {
            #expect(error.message.contains(String(repeating: "k", count: 64) + "…"))
            #expect(!error.message.contains(String(repeating: "k", count: 65)))
        }
    }

    @Test("50 000 seeded random and mutated inputs never crash; results obey the protocol")
    func randomInputs() {
        var generator = SplitMix64(seed: 0x5155_4552_5931)
        let seeds = Self.valid.map { Array($0.0.utf8) }
        let fragments = [
            "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "d83d", "\"version\"", "1", "-", "0", ".", "e", "true",
            "null", "\"command\"", "\"top\"", "\"pid\"", "\"limit\"", " ", "\u{e9}", "1000", "99999999999999999999",
        ].map { Array($0.utf8) }
        var outcomes: [String: Int] = [:]
        for round in 0..<50_000 {
            var input: [UInt8]
            switch round % 3 {
            case 0:
                input = (0..<Int.random(in: 0...120, using: &generator)).map { _ in
                    UInt8.random(in: 0...255, using: &generator)
                }
            case 1:
                input = seeds[Int.random(in: 0..<seeds.count, using: &generator)]
                for _ in 0..<Int.random(in: 1...4, using: &generator) where !input.isEmpty {
                    let position = Int.random(in: 0..<input.count, using: &generator)
                    switch Int.random(in: 0..<3, using: &generator) {
                    case 0: input[position] = UInt8.random(in: 0...255, using: &generator)
                    case 1: input.remove(at: position)
                    default: input.insert(UInt8.random(in: 0...255, using: &generator), at: position)
                    }
                }
            default:
                input = (0..<Int.random(in: 1...24, using: &generator)).flatMap { _ in
                    fragments[Int.random(in: 0..<fragments.count, using: &generator)]
                }
            }
            do {
                let request = try QueryRequest.decode(line: input)
                outcomes["ok", default: 0] += 1
                let again = try? QueryRequest.decode(line: Array(request.line.utf8.dropLast()))
                if again != request { Issue.record("round trip of \(request) gave \(String(describing: again))") }
            } catch {
                outcomes[error.code.rawValue, default: 0] += 1
                let reply = error.replyLine
                if reply.last != 0x0A || reply.dropLast().contains(0x0A) || error.message.isEmpty {
                    Issue.record("bad reply line for \(error)")
                }
            }
        }
        // The generator reaches every outcome decode can have, so the loop tested something.
        for outcome in ["ok", "invalid_json", "not_an_object", "unsupported_version", "unknown_command",
                        "invalid_argument"] {
            #expect(outcomes[outcome, default: 0] > 0, "no input gave \(outcome): \(outcomes)")
        }
        #expect(outcomes.values.reduce(0, +) == 50_000)
    }

    @Test("Reply lines: the error envelope, the success envelope, the tail lines")
    func replies() {
        let error = QueryError(.notFound, "no process with pid \"99999\"\nis tracked")
        #expect(String(decoding: error.replyLine, as: UTF8.self) == #"""
            {"error":{"code":"not_found","message":"no process with pid \"99999\"\nis tracked"},"ok":false,"version":1}

            """#)
        #expect(String(decoding: QueryReply.success(.reset(ResetReport(processes: 3))), as: UTF8.self)
            == #"{"ok":true,"result":{"processes":3,"reset":true},"version":1}"# + "\n")
        #expect(String(decoding: QueryReply.streaming, as: UTF8.self)
            == #"{"ok":true,"result":{"streaming":true},"version":1}"# + "\n")
        #expect(String(decoding: QueryReply.dropped(4711), as: UTF8.self) == "{\"dropped\":4711}\n")
        let record = Records.open(pid: 5, path: "/a\nb")
        #expect(String(decoding: QueryReply.event(record), as: UTF8.self) == EventLineFormatter.jsonLine(record) + "\n")
        #expect(QueryError.Code.allCases.map(\.rawValue) == [
            "invalid_json", "not_an_object", "unsupported_version", "unknown_command", "invalid_argument",
            "line_too_long", "permission_denied", "not_found", "unavailable", "busy", "internal",
        ])
    }

    @Test("A result JSON cannot carry (a non-finite rate) becomes an internal error line, not a trap")
    func unencodableResult() throws {
        let entry = TopReport.Entry(
            pid: 1, comm: "x", startNs: 1, exited: false, opens: 1, errors: 0, opensPerSecond: .infinity,
            errorsPerSecond: 0)
        let line = QueryReply.success(.top(TopReport(by: .opens, windowSeconds: 10, processes: [entry])))
        let reply = try QueryJSON.decode(QueryReply.Envelope<TopReport>.self, from: line)
        guard case .failure(let error) = reply.outcome else {
            Issue.record("an infinite rate was encoded")
            return
        }
        #expect(error.code == .internal)
    }

    @Test("Requests are written in the schema: version and command, then only the arguments that differ from the defaults")
    func requestLines() {
        #expect(QueryRequest.status.line == #"{"command":"status","version":1}"# + "\n")
        #expect(QueryRequest.top(by: .opens, limit: 20, comm: nil).line == #"{"command":"top","version":1}"# + "\n")
        #expect(QueryRequest.top(by: .errorsRate, limit: 5, comm: "a\"b\\c\n").line
            == #"{"by":"errors_rate","comm":"a\"b\\c\n","command":"top","limit":5,"version":1}"# + "\n")
        #expect(QueryRequest.tail(TailFilter(pid: 7, comm: "cat", pathPrefix: "/etc/", failedOnly: true)).line
            == #"{"comm":"cat","command":"tail","failed":true,"path_prefix":"/etc/","pid":7,"version":1}"# + "\n")
        #expect(QueryRequest.proc(pid: 1234).line == #"{"command":"proc","pid":1234,"version":1}"# + "\n")
    }

    @Test("The 4096-byte line limit is known before sending")
    func lineLimit() {
        func tail(prefixBytes: Int) -> QueryRequest {
            .tail(TailFilter(pathPrefix: String(repeating: "a", count: prefixBytes)))
        }
        let overhead = tail(prefixBytes: 1).line.utf8.count - 1
        #expect(tail(prefixBytes: 4096 - overhead).line.utf8.count == 4096)
        #expect(tail(prefixBytes: 4096 - overhead).fitsLineLimit)
        #expect(!tail(prefixBytes: 4097 - overhead).fitsLineLimit)
    }
}
