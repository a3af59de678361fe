/// A parsed weighted list header, `Accept` or `Accept-Encoding` (RFC 9110 section 12.4.2 and 12.5):
/// elements separated by commas, each a value with `;name=value` parameters, one of which may be
/// the weight `q`. Commas and semicolons inside quoted strings do not split. An element whose
/// `q` is not a valid qvalue is dropped rather than guessed at.
struct QualityList: Sendable, Equatable {
    struct Element: Sendable, Equatable {
        /// The coding or media range, lowercased (both are case-insensitive).
        var value: String
        /// The weight in thousandths: `q=0.5` is 500; no `q` is 1000.
        var weight: Int
    }

    var elements: [Element]

    init(_ text: String) {
        elements = Self.split(Array(text.utf8), at: UInt8(ascii: ",")).compactMap(Self.element)
    }

    /// One list element, or nil when empty (empty elements are allowed and ignored) or malformed.
    private static func element(_ bytes: ArraySlice<UInt8>) -> Element? {
        let parts = split(bytes, at: UInt8(ascii: ";"))
        let value = trimmed(parts[0])
        guard !value.isEmpty else { return nil }
        var weight = 1000
        for parameter in parts.dropFirst() {
            guard let equals = parameter.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = trimmed(parameter[..<equals])
            guard name.count == 1, HTTPHeaders.lowercased(name[name.startIndex]) == UInt8(ascii: "q") else { continue }
            guard let parsed = qvalue(trimmed(parameter[parameter.index(after: equals)...])) else { return nil }
            weight = parsed
            break  // Parameters after q are accept-ext (Accept) and do not matter here.
        }
        return Element(value: String(decoding: value.map(HTTPHeaders.lowercased), as: UTF8.self), weight: weight)
    }

    /// `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )`, in thousandths.
    static func qvalue(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard let first = bytes.first, first == UInt8(ascii: "0") || first == UInt8(ascii: "1") else { return nil }
        var weight = first == UInt8(ascii: "1") ? 1000 : 0
        let rest = bytes.dropFirst()
        guard !rest.isEmpty else { return weight }
        guard rest.first == UInt8(ascii: "."), rest.count <= 4 else { return nil }
        var scale = 100
        for digit in rest.dropFirst() {
            guard digit >= 0x30 && digit <= 0x39 else { return nil }
            weight += Int(digit - 0x30) * scale
            scale /= 10
        }
        return weight <= 1000 ? weight : nil
    }

    /// Splits at `separator` outside double-quoted strings (which may contain `\"` escapes).
    private static func split(_ bytes: ArraySlice<UInt8>, at separator: UInt8) -> [ArraySlice<UInt8>] {
        var parts: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        var quoted = false
        var escaped = false
        for index in bytes.indices {
            let byte = bytes[index]
            if escaped {
                escaped = false
            } else if quoted && byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                quoted.toggle()
            } else if byte == separator && !quoted {
                parts.append(bytes[start..<index])
                start = bytes.index(after: index)
            }
        }
        parts.append(bytes[start...])
        return parts
    }

    private static func split(_ bytes: [UInt8], at separator: UInt8) -> [ArraySlice<UInt8>] {
        split(bytes[...], at: separator)
    }

    /// Without the optional whitespace (SP, HT) around it.
    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return bytes[bytes.endIndex...] }
        return bytes[first...last]
    }
}
