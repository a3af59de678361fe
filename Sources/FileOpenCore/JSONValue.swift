/// A parsed JSON value that keeps what was sent: each scalar's exact type (`true` is not `1`),
/// object members in their order, repeated keys included, and numbers as their literal text, so
/// `1.0` is not an integer and `fileopenctl --json` can print a reply back without rounding a
/// 64-bit counter through `Double` or reordering its keys.
public enum JSONValue: Sendable, Equatable, CustomStringConvertible {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// The number's literal text, already checked against the JSON grammar.
    case number(String)
    /// A string, escapes decoded.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object, members in their order.
    case object(JSONObject)

    /// Parses one complete JSON text (RFC 8259) from UTF-8 bytes; see `JSONParser`.
    public init(parsing bytes: some Collection<UInt8>) throws(JSONParser.Failure) {
        self = try JSONParser.parse(Array(bytes))
    }

    /// Parses one complete JSON text from a string.
    public init(parsing text: String) throws(JSONParser.Failure) {
        self = try JSONParser.parse(Array(text.utf8))
    }

    /// Compact JSON text on one line: members in their original order, numbers as received.
    public var description: String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .number(let text): out += text
        case .string(let value): out += EventLineFormatter.jsonString(value)
        case .array(let elements):
            out += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { out += "," }
                element.write(to: &out)
            }
            out += "]"
        case .object(let object):
            out += "{"
            for (index, member) in object.members.enumerated() {
                if index > 0 { out += "," }
                out += EventLineFormatter.jsonString(member.key)
                out += ":"
                member.value.write(to: &out)
            }
            out += "}"
        }
    }

    /// The member `key` of an object; nil for a missing key or a value that is not an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    /// The object, if this is one.
    public var objectValue: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The string, if this is one.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The boolean, if this is one.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The number as an integer, if it is written as one and fits (`12`, not `12.0` or `1e3`).
    public var int64Value: Int64? {
        if case .number(let text) = self { return Int64(text) }
        return nil
    }

    /// The number as an unsigned integer, if it is written as one and fits.
    public var uint64Value: UInt64? {
        if case .number(let text) = self { return UInt64(text) }
        return nil
    }

    /// Any number as a `Double` (exponents included).
    public var doubleValue: Double? {
        if case .number(let text) = self { return Double(text) }
        return nil
    }

    /// The literal text of a number, for showing a counter exactly as the daemon sent it.
    public var numberText: String? {
        if case .number(let text) = self { return text }
        return nil
    }
}
