/// The one JSON coding of the query protocol's schema types, daemon and client alike: compact,
/// members sorted by name (so the same value is always the same bytes), `/` not escaped.
/// Only event lines are written otherwise (`EventLineFormatter.jsonLine`, the hot path), in
/// the same schema.
public enum QueryJSON {
    /// `value` as compact JSON text without a newline (`JSONTreeEncoder`: `JSONEncoder`'s bytes
    /// without Foundation). Fails only for a non-finite floating-point number, which JSON cannot carry.
    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        try JSONTreeEncoder.encode(value)
    }

    /// `value` as one line: `encode(value)` and a newline.
    public static func line(_ value: some Encodable) throws -> [UInt8] {
        var bytes = try encode(value)
        bytes.append(0x0A)
        return bytes
    }

    /// Decodes one JSON text (`JSONTreeDecoder`, as `JSONDecoder` would). Members a type does not know are ignored, so a
    /// newer peer's additions never break an older reader; a member the type needs and does not
    /// find is an error naming it.
    public static func decode<Value: Decodable>(_ type: Value.Type, from bytes: some Collection<UInt8>) throws -> Value {
        try JSONTreeDecoder.decode(type, from: Array(bytes))
    }
}
