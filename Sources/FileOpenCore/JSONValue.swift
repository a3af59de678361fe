/// A parsed JSON value that keeps what was sent, for the strict request decoder
/// (`QueryRequest.decode`): each scalar's exact type (`true` is not `1`), object members in their
/// order, repeated keys included, and numbers as their literal text, so `1.0` is not an integer.
/// It is only read: everything the protocol writes is a Codable type encoded by `QueryJSON`.
public enum JSONValue: Sendable, Equatable {
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
}
