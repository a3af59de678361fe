/// Encodes a Codable value as compact JSON text without Foundation, so that fileopenctl links no
/// Foundation at all (FoundationEssentials alone adds 7.5 MB to a static binary; docs/binary-size.md).
/// The bytes are the ones `JSONEncoder` with `[.sortedKeys, .withoutEscapingSlashes]` writes: object
/// members sorted by key (code point order), `nil` members left out, a floating-point number as its
/// shortest `description` without a trailing `.0`, `/` and non-ASCII written as they are, control
/// characters escaped (`\n`, `\u001b`). Used through `QueryJSON` only.
struct JSONTreeEncoder {
    /// `value` as JSON text. Fails for a non-finite floating-point number (JSON cannot carry it)
    /// and for a value that encodes nothing.
    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let root = Node()
        try value.encode(to: NodeEncoder(node: root, codingPath: []))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        try root.write(to: &bytes, codingPath: [])
        return bytes
    }
}

/// A value being encoded: empty until a container or a scalar is put in it.
private final class Node {
    enum Content {
        case empty
        case scalar(String)
        case string(String)
        case object([String: Node])
        case array([Node])
    }

    var content = Content.empty

    /// The member `key` of this node, made an object if it is not one yet.
    func member(_ key: String) -> Node {
        var members: [String: Node] = [:]
        if case .object(let existing) = content { members = existing }
        content = .empty  // so that the dictionary below is the only reference, changed in place
        let node = members[key] ?? Node()
        members[key] = node
        content = .object(members)
        return node
    }

    /// A new last element of this node, made an array if it is not one yet.
    func appendElement() -> Node {
        var elements: [Node] = []
        if case .array(let existing) = content { elements = existing }
        content = .empty  // as in member(_:)
        let node = Node()
        elements.append(node)
        content = .array(elements)
        return node
    }

    var count: Int {
        switch content {
        case .array(let elements): elements.count
        case .object(let members): members.count
        default: 0
        }
    }

    func makeObject() {
        if case .object = content { return }
        content = .object([:])
    }

    func makeArray() {
        if case .array = content { return }
        content = .array([])
    }

    func write(to bytes: inout [UInt8], codingPath: [any CodingKey]) throws {
        switch content {
        case .empty:
            throw EncodingError.invalidValue(
                (), EncodingError.Context(codingPath: codingPath, debugDescription: "the value encoded nothing")
            )
        case .scalar(let text):
            bytes.append(contentsOf: text.utf8)
        case .string(let text):
            Self.writeString(text, to: &bytes)
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                Self.writeString(key, to: &bytes)
                bytes.append(UInt8(ascii: ":"))
                try members[key]!.write(to: &bytes, codingPath: codingPath + [JSONCodingKey(key)])
            }
            bytes.append(UInt8(ascii: "}"))
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                try element.write(to: &bytes, codingPath: codingPath + [JSONCodingKey(index)])
            }
            bytes.append(UInt8(ascii: "]"))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func writeString(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x00..<0x20:
                bytes.append(contentsOf: Array(#"\u00"#.utf8))
                bytes.append(hexDigits[Int(byte >> 4)])
                bytes.append(hexDigits[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

private struct NodeEncoder: Encoder {
    let node: Node
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.makeObject()
        return KeyedEncodingContainer(KeyedContainer(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.makeArray()
        return UnkeyedContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueContainer(node: node, codingPath: codingPath)
    }
}

/// Puts scalars into a node; shared by the three container kinds.
private enum Scalar {
    static func put(_ value: Bool, in node: Node) { node.content = .scalar(value ? "true" : "false") }
    static func put(_ value: String, in node: Node) { node.content = .string(value) }
    static func put(_ value: some FixedWidthInteger, in node: Node) { node.content = .scalar(String(value)) }

    static func put<F: BinaryFloatingPoint & CustomStringConvertible>(
        _ value: F, in node: Node, codingPath: [any CodingKey]
    ) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value, EncodingError.Context(codingPath: codingPath, debugDescription: "\(value) is not valid in JSON")
            )
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        node.content = .scalar(text)
    }

    static func put(_ value: some Encodable, in node: Node, codingPath: [any CodingKey]) throws {
        try value.encode(to: NodeEncoder(node: node, codingPath: codingPath))
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    let codingPath: [any CodingKey]

    func encodeNil(forKey key: Key) throws { node.member(key.stringValue).content = .scalar("null") }
    func encode(_ value: Bool, forKey key: Key) throws { Scalar.put(value, in: node.member(key.stringValue)) }
    func encode(_ value: String, forKey key: Key) throws { Scalar.put(value, in: node.member(key.stringValue)) }
    func encode(_ value: Double, forKey key: Key) throws {
        try Scalar.put(value, in: node.member(key.stringValue), codingPath: codingPath + [key])
    }
    func encode(_ value: Float, forKey key: Key) throws {
        try Scalar.put(value, in: node.member(key.stringValue), codingPath: codingPath + [key])
    }
    func encode(_ value: Int, forKey key: Key) throws { Scalar.put(value, in: node.member(key.stringValue)) }
    func encode(_ value: Int8, forKey key: Key) throws { Scalar.put(value, in: node.member(key.stringValue)) }
    func encode(_ value: Int16, forKey key: Key) throws { Scalar.put(value, in: node.member(key.stringValue)) }
    func encode(_ value: Int32, forKey key: Key) throws { Scalar.put(value, in: node.member(key.stringValue)) }
    func encode(_ value: Int64, forKey key: Key) throws { Scalar.put(value, in: node.member(key.stringValue)) }
    func encode(_ value: UInt, forKey key: Key) throws { Scalar.put(value, in: node.member(key.stringValue)) }
    func encode(_ value: UInt8, forKey key: Key) throws { Scalar.put(value, in: node.member(key.stringValue)) }
    func encode(_ value: UInt16, forKey key: Key) throws { Scalar.put(value, in: node.member(key.stringValue)) }
    func encode(_ value: UInt32, forKey key: Key) throws { Scalar.put(value, in: node.member(key.stringValue)) }
    func encode(_ value: UInt64, forKey key: Key) throws { Scalar.put(value, in: node.member(key.stringValue)) }
    func encode(_ value: some Encodable, forKey key: Key) throws {
        try Scalar.put(value, in: node.member(key.stringValue), codingPath: codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        NodeEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
    }

    func superEncoder() -> any Encoder {
        NodeEncoder(node: node.member("super"), codingPath: codingPath + [JSONCodingKey("super")])
    }

    func superEncoder(forKey key: Key) -> any Encoder {
        NodeEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key])
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let node: Node
    let codingPath: [any CodingKey]
    var count: Int { node.count }

    private var nextPath: [any CodingKey] { codingPath + [JSONCodingKey(node.count)] }

    func encodeNil() throws { node.appendElement().content = .scalar("null") }
    func encode(_ value: Bool) throws { Scalar.put(value, in: node.appendElement()) }
    func encode(_ value: String) throws { Scalar.put(value, in: node.appendElement()) }
    func encode(_ value: Double) throws {
        let path = nextPath
        try Scalar.put(value, in: node.appendElement(), codingPath: path)
    }
    func encode(_ value: Float) throws {
        let path = nextPath
        try Scalar.put(value, in: node.appendElement(), codingPath: path)
    }
    func encode(_ value: Int) throws { Scalar.put(value, in: node.appendElement()) }
    func encode(_ value: Int8) throws { Scalar.put(value, in: node.appendElement()) }
    func encode(_ value: Int16) throws { Scalar.put(value, in: node.appendElement()) }
    func encode(_ value: Int32) throws { Scalar.put(value, in: node.appendElement()) }
    func encode(_ value: Int64) throws { Scalar.put(value, in: node.appendElement()) }
    func encode(_ value: UInt) throws { Scalar.put(value, in: node.appendElement()) }
    func encode(_ value: UInt8) throws { Scalar.put(value, in: node.appendElement()) }
    func encode(_ value: UInt16) throws { Scalar.put(value, in: node.appendElement()) }
    func encode(_ value: UInt32) throws { Scalar.put(value, in: node.appendElement()) }
    func encode(_ value: UInt64) throws { Scalar.put(value, in: node.appendElement()) }
    func encode(_ value: some Encodable) throws {
        let path = nextPath
        try Scalar.put(value, in: node.appendElement(), codingPath: path)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let path = nextPath
        return NodeEncoder(node: node.appendElement(), codingPath: path).container(keyedBy: keyType)
    }

    func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let path = nextPath
        return NodeEncoder(node: node.appendElement(), codingPath: path).unkeyedContainer()
    }

    func superEncoder() -> any Encoder {
        let path = nextPath
        return NodeEncoder(node: node.appendElement(), codingPath: path)
    }
}

private struct SingleValueContainer: SingleValueEncodingContainer {
    let node: Node
    let codingPath: [any CodingKey]

    func encodeNil() throws { node.content = .scalar("null") }
    func encode(_ value: Bool) throws { Scalar.put(value, in: node) }
    func encode(_ value: String) throws { Scalar.put(value, in: node) }
    func encode(_ value: Double) throws { try Scalar.put(value, in: node, codingPath: codingPath) }
    func encode(_ value: Float) throws { try Scalar.put(value, in: node, codingPath: codingPath) }
    func encode(_ value: Int) throws { Scalar.put(value, in: node) }
    func encode(_ value: Int8) throws { Scalar.put(value, in: node) }
    func encode(_ value: Int16) throws { Scalar.put(value, in: node) }
    func encode(_ value: Int32) throws { Scalar.put(value, in: node) }
    func encode(_ value: Int64) throws { Scalar.put(value, in: node) }
    func encode(_ value: UInt) throws { Scalar.put(value, in: node) }
    func encode(_ value: UInt8) throws { Scalar.put(value, in: node) }
    func encode(_ value: UInt16) throws { Scalar.put(value, in: node) }
    func encode(_ value: UInt32) throws { Scalar.put(value, in: node) }
    func encode(_ value: UInt64) throws { Scalar.put(value, in: node) }
    func encode(_ value: some Encodable) throws { try Scalar.put(value, in: node, codingPath: codingPath) }
}
