/// The project's strict JSON (RFC 8259) parser, for the query socket's request lines. Foundation
/// will not do here: `JSONDecoder` reads `1.0` as the integer 1 and silently keeps one of two
/// equal keys, `JSONSerialization` also turns `true` into an NSNumber that casts to `Int` (so
/// `"pid": true` would pass as 1), and both recurse on nesting. (What the daemon writes, and so
/// what a client reads, is read through this parser too, by `JSONTreeDecoder`: see `QueryJSON`.)
///
/// This parser keeps what the text says: every scalar with its exact JSON type, numbers as their
/// literal text, object members in order with repeated keys kept. It accepts only UTF-8, no
/// trailing commas, no comments, no leading zeros, and nothing but whitespace after the value.
/// Nesting is read with an explicit stack on the heap, never by recursion, and bounded by
/// `maximumDepth`; containers deeper than `retainedDepth` are checked whole but kept empty.
public struct JSONParser {
    /// The default bound on nesting: deeper than any request of the protocol needs by far.
    public static let maximumDepth = 64

    /// Why a text is not JSON, with the byte offset where parsing stopped.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// What was wrong, e.g. `expected ':'` or `invalid UTF-8 in a string`.
        public let reason: String
        /// The byte offset in the text where it was found; the text's length if it ended too soon.
        public let offset: Int

        /// A failure at `offset`.
        public init(reason: String, offset: Int) {
            self.reason = reason
            self.offset = offset
        }

        /// `expected ':' at byte 12`.
        public var description: String { "\(reason) at byte \(offset)" }
    }

    /// An array or object whose closing bracket has not been read yet.
    private struct OpenContainer {
        let isObject: Bool
        /// Whether its elements are kept (it is no deeper than `retainedDepth`).
        let retains: Bool
        var elements: [JSONValue] = []
        var members: [(key: String, value: JSONValue)] = []
        /// The key of the member whose value is being read.
        var key = ""

        var closer: UInt8 { isObject ? UInt8(ascii: "}") : UInt8(ascii: "]") }

        var value: JSONValue { isObject ? .object(JSONObject(members)) : .array(elements) }

        mutating func append(_ value: JSONValue) {
            guard retains else { return }
            if isObject { members.append((key, value)) } else { elements.append(value) }
        }
    }

    private let bytes: [UInt8]
    private var index = 0

    private init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Parses `bytes` as exactly one JSON value surrounded by optional whitespace.
    ///
    /// - Parameters:
    ///   - maximumDepth: how many arrays and objects may be open at once; one more is refused.
    ///   - retainedDepth: containers nested deeper than this (the top-level one is at depth 1)
    ///     are checked to their closing bracket but returned empty, so a caller that reads only
    ///     the top levels keeps no hostile nesting in memory.
    public static func parse(
        _ bytes: [UInt8], maximumDepth: Int = JSONParser.maximumDepth, retainedDepth: Int = .max
    ) throws(Failure) -> JSONValue {
        var parser = JSONParser(bytes)
        let value = try parser.readValue(maximumDepth: maximumDepth, retainedDepth: retainedDepth)
        parser.skipWhitespace()
        guard parser.index == bytes.count else {
            throw parser.failure("expected the end of the line after the top-level value")
        }
        return value
    }

    // MARK: - Values

    /// One value, however deeply nested, with the open containers on a stack on the heap.
    private mutating func readValue(maximumDepth: Int, retainedDepth: Int) throws(Failure) -> JSONValue {
        var open: [OpenContainer] = []
        while true {
            // At the start of a value.
            skipWhitespace()
            var value: JSONValue
            switch current {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard open.count < maximumDepth else { throw failure("nested deeper than \(maximumDepth) levels") }
                let isObject = current == UInt8(ascii: "{")
                let container = OpenContainer(isObject: isObject, retains: open.count < retainedDepth)
                index += 1
                skipWhitespace()
                if current == container.closer {
                    index += 1
                    value = container.value
                } else {
                    open.append(container)
                    if isObject { open[open.count - 1].key = try readMemberKey() }
                    continue
                }
            default:
                value = try readScalar()
            }
            // After a value: close what is complete, then expect the next element or member.
            while true {
                guard !open.isEmpty else { return value }
                open[open.count - 1].append(value)
                let closer = open[open.count - 1].closer
                skipWhitespace()
                if current == closer {
                    index += 1
                    value = open.removeLast().value
                    continue
                }
                guard current == UInt8(ascii: ",") else {
                    throw failure("expected ',' or '\(Character(Unicode.Scalar(closer)))'")
                }
                index += 1
                if closer == UInt8(ascii: "}") { open[open.count - 1].key = try readMemberKey() }
                break
            }
        }
    }

    /// `"key" :`, before a member's value.
    private mutating func readMemberKey() throws(Failure) -> String {
        skipWhitespace()
        let key = try readString()
        skipWhitespace()
        guard current == UInt8(ascii: ":") else { throw failure("expected ':'") }
        index += 1
        return key
    }

    private mutating func readScalar() throws(Failure) -> JSONValue {
        guard let byte = current else { throw failure("expected a value") }
        switch byte {
        case UInt8(ascii: "\""):
            return .string(try readString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try readNumber())
        default:
            throw failure("expected a value")
        }
    }

    private mutating func expectLiteral(_ literal: String) throws(Failure) {
        for byte in literal.utf8 {
            guard current == byte else { throw failure("expected '\(literal)'") }
            index += 1
        }
    }

    // MARK: - Strings

    /// A string literal: escapes decoded (surrogate pairs joined), raw bytes required to be UTF-8,
    /// unescaped control characters and lone surrogates refused.
    private mutating func readString() throws(Failure) -> String {
        guard current == UInt8(ascii: "\"") else { throw failure("expected a string in double quotes") }
        index += 1
        var scalars = String.UnicodeScalarView()
        var runStart = index
        while true {
            guard let byte = current else { throw failure("expected the end of the string") }
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                try appendRaw(from: runStart, to: &scalars)
                index += 1
                if byte == UInt8(ascii: "\"") { return String(scalars) }
                scalars.append(try readEscape())
                runStart = index
            } else if byte < 0x20 {
                throw failure("expected no raw control character inside a string")
            } else {
                index += 1
            }
        }
    }

    /// Appends the unescaped bytes from `start` to `index`, which must be valid UTF-8.
    private func appendRaw(from start: Int, to scalars: inout String.UnicodeScalarView) throws(Failure) {
        guard start < index else { return }
        guard let text = String(validating: bytes[start..<index], as: UTF8.self) else {
            throw Failure(reason: "invalid UTF-8 in a string", offset: start)
        }
        scalars.append(contentsOf: text.unicodeScalars)
    }

    private mutating func readEscape() throws(Failure) -> Unicode.Scalar {
        guard let byte = current else { throw failure("expected an escape after '\\'") }
        index += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"): return try readUnicodeEscape()
        default:
            index -= 1
            throw failure("expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX after '\\'")
        }
    }

    /// `\uXXXX`, or a surrogate pair `\uD83D\uDE00`, as one scalar.
    private mutating func readUnicodeEscape() throws(Failure) -> Unicode.Scalar {
        var value = try readHex4()
        if (0xD800..<0xDC00).contains(value) {
            // A high surrogate must be followed by an escaped low one: together they are one scalar.
            guard current == UInt8(ascii: "\\"), byte(at: index + 1) == UInt8(ascii: "u") else {
                throw failure("expected a low surrogate \\uDC00-\\uDFFF after a high one")
            }
            index += 2
            let low = try readHex4()
            guard (0xDC00..<0xE000).contains(low) else { throw failure("expected a low surrogate \\uDC00-\\uDFFF") }
            value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00..<0xE000).contains(value) {
            throw failure("expected no lone low surrogate")
        }
        guard let scalar = Unicode.Scalar(value) else { throw failure("expected a Unicode scalar") }
        return scalar
    }

    private mutating func readHex4() throws(Failure) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            let digit: UInt8
            switch current {
            case let byte? where (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte):
                digit = byte - UInt8(ascii: "0")
            case let byte? where (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte):
                digit = byte - UInt8(ascii: "a") + 10
            case let byte? where (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte):
                digit = byte - UInt8(ascii: "A") + 10
            default:
                throw failure("expected four hex digits after \\u")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    // MARK: - Numbers

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, exactly, returned as its text.
    private mutating func readNumber() throws(Failure) -> String {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        guard let first = current, isDigit(first) else { throw failure("expected a digit") }
        if first == UInt8(ascii: "0") {
            index += 1
            if let next = current, isDigit(next) { throw failure("expected no leading zero") }
        } else {
            try readDigits()
        }
        if current == UInt8(ascii: ".") {
            index += 1
            try readDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            try readDigits()
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// One or more digits.
    private mutating func readDigits() throws(Failure) {
        guard let first = current, isDigit(first) else { throw failure("expected a digit") }
        while let byte = current, isDigit(byte) { index += 1 }
    }

    // MARK: - Bytes

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private var current: UInt8? { byte(at: index) }

    private func byte(at position: Int) -> UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    /// Space, tab, line feed and carriage return: the only whitespace JSON has.
    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    private func failure(_ reason: String) -> Failure {
        Failure(reason: reason, offset: index)
    }
}
