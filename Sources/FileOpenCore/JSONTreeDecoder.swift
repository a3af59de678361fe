/// Decodes a Codable value from JSON text without Foundation, over `JSONParser`'s tree: what
/// `JSONDecoder` does for the query protocol's types. Members a type does not know are ignored; of
/// two equal keys the first counts; a missing member is `DecodingError.keyNotFound`, a wrong type
/// `typeMismatch`, both with the coding path; text that is not JSON is `dataCorrupted` saying
/// "not valid JSON". A number decodes into an integer type when its value is one that fits
/// (`3`, also `3.0`), as with `JSONDecoder`, exactly; a floating-point number that overflows to
/// infinity is refused. Nesting is bounded by `JSONParser.maximumDepth`, so decoding, which
/// recurses through the Codable types, recurses no deeper. Used through `QueryJSON` only.
struct JSONTreeDecoder {
    /// Decodes `type` from one JSON text.
    static func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8]) throws -> Value {
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: [], debugDescription: "The given data was not valid JSON: \(error)")
            )
        }
        return try Value(from: ValueDecoder(value: root, codingPath: []))
    }
}

private struct ValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else {
            throw Read.mismatch([String: JSONValue].self, value, codingPath)
        }
        return KeyedDecodingContainer(KeyedContainer(object: object, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else { throw Read.mismatch([JSONValue].self, value, codingPath) }
        return UnkeyedContainer(elements: elements, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValueContainer(value: value, codingPath: codingPath)
    }
}

/// Reads scalars out of values; shared by the three container kinds.
private enum Read {
    static func mismatch(_ type: Any.Type, _ value: JSONValue, _ codingPath: [any CodingKey]) -> DecodingError {
        let found: String = switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .number(let text): "the number \(text)"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
        return DecodingError.typeMismatch(
            type, DecodingError.Context(codingPath: codingPath, debugDescription: "Expected \(type) but found \(found) instead.")
        )
    }

    static func bool(_ value: JSONValue, _ codingPath: [any CodingKey]) throws -> Bool {
        guard case .bool(let bool) = value else { throw mismatch(Bool.self, value, codingPath) }
        return bool
    }

    static func string(_ value: JSONValue, _ codingPath: [any CodingKey]) throws -> String {
        guard case .string(let string) = value else { throw mismatch(String.self, value, codingPath) }
        return string
    }

    static func integer<T: FixedWidthInteger>(_ type: T.Type, _ value: JSONValue, _ codingPath: [any CodingKey]) throws -> T {
        guard case .number(let text) = value else { throw mismatch(type, value, codingPath) }
        if let integer = T(text) ?? exactInteger(T.self, text) { return integer }
        throw DecodingError.dataCorrupted(
            DecodingError.Context(codingPath: codingPath, debugDescription: "Number \(text) does not fit in \(type).")
        )
    }

    /// A number written with a fraction or an exponent (`3.0`, `12e2`, `1.5e1`) whose value is an
    /// integer that fits `T`, as `JSONDecoder` reads it, worked out on the digits, never through
    /// `Double` (which would turn `9007199254740993.0` into …992). The text is already known to be
    /// a JSON number; an exponent beyond what any fixed-width integer needs is refused.
    static func exactInteger<T: FixedWidthInteger>(_ type: T.Type, _ text: String) -> T? {
        var utf8 = Substring(text).utf8[...]
        let negative = utf8.first == UInt8(ascii: "-")
        if negative { utf8 = utf8.dropFirst() }
        var digits = Array(utf8.prefix { $0 != UInt8(ascii: ".") && $0 != UInt8(ascii: "e") && $0 != UInt8(ascii: "E") })
        utf8 = utf8.dropFirst(digits.count)
        var exponent = 0
        if utf8.first == UInt8(ascii: ".") {
            let fraction = utf8.dropFirst().prefix { $0 != UInt8(ascii: "e") && $0 != UInt8(ascii: "E") }
            digits += fraction
            exponent -= fraction.count
            utf8 = utf8.dropFirst(1 + fraction.count)
        }
        if !utf8.isEmpty {
            // An exponent: `e`, an optional sign, digits. Anything beyond ±4 digits cannot give an
            // integer of at most 64 bits from a line of at most 4096 bytes.
            guard let written = Int(String(decoding: utf8.dropFirst(), as: UTF8.self)), abs(written) < 10_000 else {
                return nil
            }
            exponent += written
        }
        while exponent < 0 {
            guard digits.last == UInt8(ascii: "0") else { return nil }  // A fraction that is not zero.
            digits.removeLast()
            exponent += 1
        }
        while let first = digits.first, first == UInt8(ascii: "0"), digits.count > 1 { digits.removeFirst() }
        if digits == [UInt8(ascii: "0")] { return 0 }
        guard digits.count + exponent <= 40 else { return nil }  // More digits than any 128-bit integer.
        digits += repeatElement(UInt8(ascii: "0"), count: exponent)
        return T((negative ? "-" : "") + String(decoding: digits, as: UTF8.self))
    }

    static func floating<T: BinaryFloatingPoint & LosslessStringConvertible>(
        _ type: T.Type, _ value: JSONValue, _ codingPath: [any CodingKey]
    ) throws -> T {
        guard case .number(let text) = value else { throw mismatch(type, value, codingPath) }
        guard let number = T(text), number.isFinite else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: codingPath, debugDescription: "Number \(text) is not representable in Swift."
            ))
        }
        return number
    }

    static func decodable<T: Decodable>(_ type: T.Type, _ value: JSONValue, _ codingPath: [any CodingKey]) throws -> T {
        try T(from: ValueDecoder(value: value, codingPath: codingPath))
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: JSONObject
    let codingPath: [any CodingKey]

    var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { object[key.stringValue] != nil }

    private func value(_ key: Key) throws -> JSONValue {
        guard let value = object[key.stringValue] else {
            throw DecodingError.keyNotFound(key, DecodingError.Context(
                codingPath: codingPath, debugDescription: "No value associated with key \(key.stringValue)."
            ))
        }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool { try value(key).isNull }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try Read.bool(value(key), codingPath + [key]) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try Read.string(value(key), codingPath + [key]) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try Read.floating(type, value(key), codingPath + [key]) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try Read.floating(type, value(key), codingPath + [key]) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try Read.integer(type, value(key), codingPath + [key]) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try Read.integer(type, value(key), codingPath + [key]) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try Read.integer(type, value(key), codingPath + [key]) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try Read.integer(type, value(key), codingPath + [key]) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try Read.integer(type, value(key), codingPath + [key]) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try Read.integer(type, value(key), codingPath + [key]) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try Read.integer(type, value(key), codingPath + [key]) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try Read.integer(type, value(key), codingPath + [key]) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try Read.integer(type, value(key), codingPath + [key]) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try Read.integer(type, value(key), codingPath + [key]) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try Read.decodable(type, value(key), codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try ValueDecoder(value: value(key), codingPath: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try ValueDecoder(value: value(key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        ValueDecoder(value: object["super"] ?? .null, codingPath: codingPath + [JSONCodingKey("super")])
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        ValueDecoder(value: object[key.stringValue] ?? .null, codingPath: codingPath + [key])
    }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let codingPath: [any CodingKey]
    var currentIndex = 0

    init(elements: [JSONValue], codingPath: [any CodingKey]) {
        self.elements = elements
        self.codingPath = codingPath
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    /// The next element and its coding path; advances past it.
    private mutating func next(_ type: Any.Type) throws -> (JSONValue, [any CodingKey]) {
        let path = codingPath + [JSONCodingKey(currentIndex)]
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, DecodingError.Context(
                codingPath: path, debugDescription: "Unkeyed container is at end."
            ))
        }
        defer { currentIndex += 1 }
        return (elements[currentIndex], path)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, elements[currentIndex].isNull else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { let (v, p) = try next(type); return try Read.bool(v, p) }
    mutating func decode(_ type: String.Type) throws -> String { let (v, p) = try next(type); return try Read.string(v, p) }
    mutating func decode(_ type: Double.Type) throws -> Double { let (v, p) = try next(type); return try Read.floating(type, v, p) }
    mutating func decode(_ type: Float.Type) throws -> Float { let (v, p) = try next(type); return try Read.floating(type, v, p) }
    mutating func decode(_ type: Int.Type) throws -> Int { let (v, p) = try next(type); return try Read.integer(type, v, p) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { let (v, p) = try next(type); return try Read.integer(type, v, p) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { let (v, p) = try next(type); return try Read.integer(type, v, p) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { let (v, p) = try next(type); return try Read.integer(type, v, p) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { let (v, p) = try next(type); return try Read.integer(type, v, p) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { let (v, p) = try next(type); return try Read.integer(type, v, p) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { let (v, p) = try next(type); return try Read.integer(type, v, p) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { let (v, p) = try next(type); return try Read.integer(type, v, p) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { let (v, p) = try next(type); return try Read.integer(type, v, p) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { let (v, p) = try next(type); return try Read.integer(type, v, p) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { let (v, p) = try next(type); return try Read.decodable(type, v, p) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (value, path) = try next(JSONObject.self)
        return try ValueDecoder(value: value, codingPath: path).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (value, path) = try next([JSONValue].self)
        return try ValueDecoder(value: value, codingPath: path).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (value, path) = try next(JSONValue.self)
        return ValueDecoder(value: value, codingPath: path)
    }
}

private struct SingleValueContainer: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { value.isNull }
    func decode(_ type: Bool.Type) throws -> Bool { try Read.bool(value, codingPath) }
    func decode(_ type: String.Type) throws -> String { try Read.string(value, codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try Read.floating(type, value, codingPath) }
    func decode(_ type: Float.Type) throws -> Float { try Read.floating(type, value, codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try Read.integer(type, value, codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try Read.integer(type, value, codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try Read.integer(type, value, codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try Read.integer(type, value, codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try Read.integer(type, value, codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try Read.integer(type, value, codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try Read.integer(type, value, codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try Read.integer(type, value, codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try Read.integer(type, value, codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try Read.integer(type, value, codingPath) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try Read.decodable(type, value, codingPath) }
}
