import FileOpenCore
import FileOpenTestSupport
import Foundation
import Testing

/// `QueryJSON`'s own coder (no Foundation in fileopenctl) writes the bytes Foundation's
/// `JSONEncoder` with sorted keys and unescaped slashes writes, and reads what `JSONDecoder`
/// reads, with the same kinds of errors.
@Suite("QueryJSON's coder: JSONEncoder's bytes, JSONDecoder's reading")
struct JSONTreeCoderTests {
    struct Sample: Codable, Equatable {
        var text: String
        var numbers: [Double]
        var floats: [Float]
        var integers: [Int64]
        var unsigned: UInt64
        var flag: Bool
        var missing: Int?
        var present: Int?
        var nested: [String: [Int]]
        var byNumber: [Int: String]
        var nulls: [Int?]
    }

    static var controls: String {
        var text = ""
        for scalar in 0..<0x20 { text.unicodeScalars.append(Unicode.Scalar(UInt8(scalar))) }
        return text + "\u{7f}\"\\/é\u{2028}😀 a/b"
    }

    static let sample = Sample(
        text: controls,
        numbers: [1.0, 0.5, 1e-7, 1e20, 123_456_789.125, -0.0, 3.14159, 1e16, .greatestFiniteMagnitude, .leastNonzeroMagnitude, 2.0 / 3.0],
        floats: [1.1, 2, 1e-3],
        integers: [.min, -1, 0, .max], unsigned: .max, flag: true, missing: nil, present: 7,
        nested: ["b": [], "a": [1, 2], "_x": [3], "B": [4], "a10": [], "a2": [], "open_count": [], "opens": []],
        byNumber: [10: "ten", 2: "two"], nulls: [nil, 1, nil]
    )

    static func foundationBytes(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    @Test("The same bytes as JSONEncoder: key order, escapes, numbers, nil members and elements")
    func sameBytes() throws {
        let ours = try QueryJSON.encode(Self.sample)
        #expect(String(decoding: ours, as: UTF8.self) == String(decoding: try Self.foundationBytes(Self.sample), as: UTF8.self))
        for value in [0.1, 100, 1e100, -2.5e-300, 1234.5678] {
            #expect(try QueryJSON.encode([value]) == Self.foundationBytes([value]), "\(value)")
        }
    }

    @Test("What it writes, it and JSONDecoder read back alike")
    func roundTrips() throws {
        let ours = try QueryJSON.encode(Self.sample)
        #expect(try QueryJSON.decode(Sample.self, from: ours) == Self.sample)
        #expect(try JSONDecoder().decode(Sample.self, from: Data(ours)) == Self.sample)
    }

    @Test("A non-finite number cannot be written")
    func nonFinite() {
        #expect(throws: EncodingError.self) { try QueryJSON.encode([Double.nan]) }
        #expect(throws: EncodingError.self) { try QueryJSON.encode(["x": Double.infinity]) }
    }

    @Test("Unknown members are ignored, the first of two equal keys counts, 3.0 reads as an integer")
    func lenientWhereJSONDecoderIs() throws {
        struct Small: Codable, Equatable { var a: Int; var b: String? }
        #expect(try QueryJSON.decode(Small.self, from: Array(#"{"z":[1,{"q":null}],"a":3.0}"#.utf8)) == Small(a: 3, b: nil))
        #expect(try QueryJSON.decode(Small.self, from: Array(#"{"a":1,"a":2,"b":"x"}"#.utf8)) == Small(a: 1, b: "x"))
    }

    @Test("Errors say what and where: not JSON, a missing member, a wrong type, a number that does not fit")
    func errors() {
        struct Inner: Codable { var count: UInt8 }
        struct Outer: Codable { var inner: [Inner] }
        func failure(_ text: String) -> DecodingError? {
            let result = Result { try QueryJSON.decode(Outer.self, from: Array(text.utf8)) }
            guard case .failure(let error) = result else { return nil }
            return error as? DecodingError
        }
        guard case .dataCorrupted(let context)? = failure(#"{"inner":"#) else { Issue.record("not JSON"); return }
        #expect(context.codingPath.isEmpty && context.debugDescription.contains("not valid JSON"))
        guard case .keyNotFound(let key, let missing)? = failure(#"{"inner":[{}]}"#) else { Issue.record("missing"); return }
        #expect(key.stringValue == "count" && missing.codingPath.map(\.stringValue) == ["inner", "Index 0"])
        guard case .typeMismatch(_, let mismatch)? = failure(#"{"inner":[{"count":"1"}]}"#) else { Issue.record("type"); return }
        #expect(mismatch.codingPath.map(\.stringValue) == ["inner", "Index 0", "count"])
        guard case .dataCorrupted(let range)? = failure(#"{"inner":[{"count":300}]}"#) else { Issue.record("range"); return }
        #expect(range.codingPath.map(\.stringValue) == ["inner", "Index 0", "count"])
    }

    @Test("The schema's reports and random event records: the same bytes as JSONEncoder")
    func schemaBytes() throws {
        #expect(try QueryJSON.encode(QuerySchemaTests.status) == Self.foundationBytes(QuerySchemaTests.status))
        #expect(try QueryJSON.encode(QuerySchemaTests.top) == Self.foundationBytes(QuerySchemaTests.top))
        #expect(try QueryJSON.encode(QuerySchemaTests.process) == Self.foundationBytes(QuerySchemaTests.process))
        var generator = SplitMix64(seed: 21)
        for _ in 0..<2000 {
            let record = QuerySchemaTests.randomRecord(&generator)
            #expect(try QueryJSON.encode(record) == Self.foundationBytes(record), "\(record)")
        }
    }

    @Test("Integers exactly, never through Double: 64-bit extremes, and 3.0 or 1e2 forms only when exact")
    func exactIntegers() throws {
        #expect(try QueryJSON.encode([Int64.min, Int64.max]) == Array("[-9223372036854775808,9223372036854775807]".utf8))
        #expect(try QueryJSON.decode([UInt64].self, from: Array("[18446744073709551615]".utf8)) == [.max])
        #expect(try QueryJSON.decode([Int64].self, from: Array("[9007199254740993.0]".utf8)) == [9_007_199_254_740_993])
        #expect(try QueryJSON.decode([Int64].self, from: Array("[1e2, 12.50e1, -0.0, 0e9999, 1000e-3]".utf8)) == [100, 125, 0, 0, 1])
        for bad in ["[1.5]", "[18446744073709551616]", "[1e20]", "[-1]", "[1e99999999999999999999]", "[0.1e-99999]"] {
            #expect(throws: DecodingError.self, "\(bad)") { try QueryJSON.decode([UInt64].self, from: Array(bad.utf8)) }
        }
        #expect(throws: DecodingError.self) { try QueryJSON.decode([Double].self, from: Array("[1e400]".utf8)) }
        #expect(try QueryJSON.decode([Double].self, from: Array("[1e-400]".utf8)) == [0])
    }

    @Test("Hostile text is refused as not JSON, never a crash: nesting, UTF-8, surrogates, grammar")
    func hostile() throws {
        struct Any1: Codable { var a: Int? }
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let cases = [
            "{\"a\":" + deep + "}", "[" + deep + "]", #"{"a":"\ud800"}"#, #"{"a":"\udc00"}"#, #"{"a":1,}"#,
            "{\"a\":01}", "{\"a\":1} x", "{'a':1}", "{\"a\":\"\u{1}\"}", "",
        ]
        for text in cases {
            #expect(throws: DecodingError.self, "\(text.prefix(40))") { try QueryJSON.decode(Any1.self, from: Array(text.utf8)) }
        }
        #expect(throws: DecodingError.self) { try QueryJSON.decode(Any1.self, from: [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]) }
        // Within the depth limit an unknown member nests as it likes and is ignored.
        let nested = String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
        #expect(try QueryJSON.decode(Any1.self, from: Array(("{\"z\":" + nested + ",\"a\":2}").utf8)).a == 2)
        struct Text: Codable, Equatable { var s: String }
        #expect(try QueryJSON.decode(Text.self, from: Array(#"{"s":"\ud83d\ude00\u00e9\/"}"#.utf8)) == Text(s: "😀é/"))
    }
}
