import FileOpenCore
import Testing

@Suite("JSON parser: strict RFC 8259, exact types and numbers, members in order, bounded nesting")
struct JSONParserTests {
    @Test("Objects keep their members' order and numbers their literal text")
    func orderAndNumbers() throws {
        let value = try JSONValue(parsing: #"{"z":18446744073709551615,"a":-0.5e-3,"m":[1,true,null,"x"]}"#)
        #expect(value == .object(JSONObject([
            ("z", .number("18446744073709551615")), ("a", .number("-0.5e-3")),
            ("m", .array([.number("1"), .bool(true), .null, .string("x")])),
        ])))
        #expect(JSONValue.number("-0.5e-3").int64Value == nil)
    }

    @Test("Whitespace between tokens is allowed")
    func whitespace() throws {
        let value = try JSONValue(parsing: " {\n\t\"a\" : [ 1 , 2 ] ,\r\n \"b\":{ } } \n")
        #expect(value == .object(JSONObject([("a", .array([.number("1"), .number("2")])), ("b", .object(JSONObject()))])))
        #expect(try JSONValue(parsing: " \t{ \"command\" : \"status\" ,\r\n \"version\" : 1 } \r")
            == .object(JSONObject([("command", .string("status")), ("version", .number("1"))])))
    }

    @Test("String escapes, surrogate pairs and raw UTF-8 decode")
    func strings() throws {
        let text = #"["a\"b\\c\/d\n\t\r\b\f", "\u00e9\u2713\ud83d\ude00", "é✓😀", "\u0001"]"#
        let value = try JSONValue(parsing: text)
        #expect(value == .array(["a\"b\\c/d\n\t\r\u{08}\u{0C}", "é✓😀", "é✓😀", "\u{01}"].map(JSONValue.string)))
        #expect(try JSONValue(parsing: #"["\u0000x","\u0041","\uD83D\uDE00"]"#)
            == .array([.string("\u{0}x"), .string("A"), .string("😀")]))
    }

    @Test("Every scalar keeps its exact type: true is not 1, 1.0 and 1e0 are not integers, \"1\" is a string")
    func exactTypes() throws {
        let value = try JSONValue(parsing: #"{"t":true,"f":false,"i":1,"z":-0,"r":1.0,"e":1e0,"s":"1","n":null}"#)
        #expect(value == .object(JSONObject([
            ("t", .bool(true)), ("f", .bool(false)), ("i", .number("1")), ("z", .number("-0")), ("r", .number("1.0")),
            ("e", .number("1e0")), ("s", .string("1")), ("n", .null),
        ])))
        let integers: [(JSONValue, Int64?)] = [
            (.bool(true), nil), (.number("1"), 1), (.number("-0"), 0), (.number("1.0"), nil), (.number("1e0"), nil),
            (.string("1"), nil),
        ]
        for (value, integer) in integers {
            #expect(value.int64Value == integer, "\(value)")
        }
        #expect(JSONValue.null.isNull && !JSONValue.number("0").isNull)
        let limits = try JSONValue(parsing: "[9223372036854775807,-9223372036854775808,9223372036854775808,1e400]")
        guard case .array(let numbers) = limits else {
            Issue.record("not an array: \(limits)")
            return
        }
        #expect(numbers.map(\.int64Value) == [Int64.max, Int64.min, nil, nil])
        #expect(numbers == ["9223372036854775807", "-9223372036854775808", "9223372036854775808", "1e400"].map(JSONValue.number))
    }

    @Test(
        "Invalid texts are refused",
        arguments: [
            "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "[01]", "[1.]", "[.5]", "[1e]", "[-]",
            "[+1]", "tru", "nul", "[\"\\x41\"]", "[\"\\ud83d\"]", "[\"\\ude00\"]", "[\"a\nb\"]", "[\"a", "1 2",
            "{\"a\":1}x", "[NaN]", "'a'", "[\"\\u12G4\"]",
            // From the request decoder's cases.
            "   ", "hello", #"{"a":1}{"a":1}"#, #"{'a':1}"#, #"{"a":1,}"#, #"{"a":"st\x"}"#, "{\"a\":\"a\u{1}b\"}",
            "\u{0}\u{1}\u{2}\u{7f}", #"{"a":[1,]}"#, #"{"a":{"y"}}"#, #"{"a":[1 2]}"#, #"{"a":-,"b":1}"#,
            #"{"a":1."#, #"["\ud83d\u0041"]"#, #"["\ud83d"#, "[\"\\", "[\"\\u00", "[1e+]", "[-01]", "[truex]",
        ]
    )
    func invalid(_ text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONValue(parsing: text) }
    }

    @Test(
        "A refusal says what was expected and where: the byte offset, or the length when the text ended",
        arguments: [
            (#"{"a":01}"#, "expected no leading zero", 6),
            (#"{"a":1."#, "expected a digit", 7),
            (#"{"a":-}"#, "expected a digit", 6),
            (#"{"y"}"#, "expected ':'", 4),
            (#"[1 2]"#, "expected ',' or ']'", 3),
            (#"{"a":1 "b":2}"#, "expected ',' or '}'", 7),
            (#"{"a":1"#, "expected ',' or '}'", 6),
            (#"{"a":1}x"#, "expected the end of the line after the top-level value", 7),
            (#"{'a':1}"#, "expected a string in double quotes", 1),
            (#"["\ud800"]"#, "expected a low surrogate \\uDC00-\\uDFFF after a high one", 8),
            (#"["\ud800\u0041"]"#, "expected a low surrogate \\uDC00-\\uDFFF", 14),
            (#"["\udc00"]"#, "expected no lone low surrogate", 8),
            ("[\"a\u{1}b\"]", "expected no raw control character inside a string", 3),
            (#"["st\x"]"#, #"expected one of \" \\ \/ \b \f \n \r \t \uXXXX after '\'"#, 5),
            (#"["\u12G4"]"#, "expected four hex digits after \\u", 6),
            (#"["abc"#, "expected the end of the string", 5),
            ("[tru]", "expected 'true'", 4),
            ("hello", "expected a value", 0),
            ("", "expected a value", 0),
        ] as [(String, String, Int)]
    )
    func failureMessages(text: String, reason: String, offset: Int) {
        #expect(throws: JSONParser.Failure(reason: reason, offset: offset)) { try JSONValue(parsing: text) }
    }

    @Test("Invalid UTF-8 inside a string is refused, with its offset")
    func invalidUTF8() {
        let bytes: [UInt8] = Array("[\"ab".utf8) + [0xFF] + Array("\"]".utf8)
        #expect(throws: JSONParser.Failure(reason: "invalid UTF-8 in a string", offset: 2)) {
            try JSONValue(parsing: bytes)
        }
        for invalid: [UInt8] in [[0xff, 0xfe], [0xc0, 0xaf], [0xed, 0xa0, 0x80]] {
            #expect(throws: JSONParser.Failure(reason: "invalid UTF-8 in a string", offset: 6)) {
                try JSONValue(parsing: Array(#"{"a":""#.utf8) + invalid + Array(#""}"#.utf8))
            }
        }
        // Outside a string, a non-ASCII byte is no JSON token at all.
        #expect(throws: JSONParser.Failure(reason: "expected a value", offset: 0)) {
            try JSONValue(parsing: [0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1])
        }
    }

    @Test("Nesting is bounded, so a hostile reply cannot exhaust the stack")
    func depth() throws {
        let fine = String(repeating: "[", count: 63) + String(repeating: "]", count: 63)
        _ = try JSONValue(parsing: fine)
        let deepest = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try JSONValue(parsing: deepest)
        #expect(throws: JSONParser.Failure(reason: "nested deeper than 64 levels", offset: 64)) {
            try JSONValue(parsing: "[" + deepest + "]")
        }
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParser.Failure.self) { try JSONValue(parsing: deep) }
    }

    @Test("Without a depth bound, 10 000 levels are read without recursion and kept only to retainedDepth")
    func unboundedDepth() throws {
        let open = [UInt8](repeating: UInt8(ascii: "["), count: 10_000)
        let close = [UInt8](repeating: UInt8(ascii: "]"), count: 10_000)
        #expect(throws: JSONParser.Failure(reason: "expected a value", offset: 10_000)) {
            try JSONParser.parse(open, maximumDepth: .max, retainedDepth: 1)
        }
        #expect(try JSONParser.parse(open + close, maximumDepth: .max, retainedDepth: 1) == .array([.array([])]))
        let objects = Array(String(repeating: #"{"a":"#, count: 3000).utf8) + [UInt8(ascii: "1")]
            + [UInt8](repeating: UInt8(ascii: "}"), count: 3000)
        #expect(try JSONParser.parse(objects, maximumDepth: .max, retainedDepth: 1)
            == .object(JSONObject([("a", .object(JSONObject()))])))
        #expect(throws: JSONParser.Failure.self) {
            try JSONParser.parse(Array(String(repeating: #"{"a":["#, count: 3000).utf8), maximumDepth: .max)
        }
        // Deeper containers are still checked whole, though kept empty.
        let nested = Array(#"{"x":[1,{"y":[true,null,"z",-1.5e3]}],"w":{}}"#.utf8)
        #expect(try JSONParser.parse(nested, retainedDepth: 1)
            == .object(JSONObject([("x", .array([])), ("w", .object(JSONObject()))])))
        #expect(try JSONParser.parse(nested, retainedDepth: 2) == .object(JSONObject([
            ("x", .array([.number("1"), .object(JSONObject())])), ("w", .object(JSONObject())),
        ])))
        #expect(throws: JSONParser.Failure(reason: "expected ',' or ']'", offset: 16)) {
            try JSONParser.parse(Array(#"{"x":[1,{"y":[1 2]}]}"#.utf8), retainedDepth: 1)
        }
    }

    @Test("Repeated keys are all kept, in order; the first wins in lookups")
    func repeatedKeys() throws {
        let value = try JSONValue(parsing: #"{"s":"1","d":1,"d":2}"#)
        guard case .object(let object) = value else {
            Issue.record("not an object: \(value)")
            return
        }
        #expect(object.keys == ["s", "d", "d"])
        #expect(object["d"] == .number("1"))
        #expect(object["missing"] == nil)
        #expect(object.members.last?.value == .number("2"))
    }
}
