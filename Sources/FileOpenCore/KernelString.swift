#if canImport(Glibc)
import Glibc
#endif

/// Turns the bytes of a kernel string (a comm, a path) into a `String` without losing or merging
/// anything: valid UTF-8 is kept as it is, and every byte that is not part of valid UTF-8 becomes
/// the four characters `\xNN`. Two different byte strings never map to the same text (short of a
/// name that spells `\xNN` itself), unlike `String(decoding:as:)`, which turns every invalid byte
/// into U+FFFD. The result is valid UTF-8, so it can go into JSON and Prometheus labels.
public enum KernelString {
    /// Decodes `bytes` up to the first NUL, if any.
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> String {
        let text = untilNUL(bytes)
        // The common case, ASCII, is valid UTF-8 as it is: decoded from a typed buffer it takes the
        // standard library's specialized fast path (the generic validator below costs a metadata
        // lookup per call, on the consumer thread's hot path).
        if isASCII(text) {
            return text.withMemoryRebound(to: UInt8.self) { String(decoding: $0, as: UTF8.self) }
        }
        if let valid = String(validating: text, as: UTF8.self) {
            return valid
        }
        return escapingInvalidBytes(text)
    }

    /// `bytes` up to the first NUL (memchr: this runs for every path on the consumer thread).
    static func untilNUL(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard let base = bytes.baseAddress, let nul = memchr(base, 0, bytes.count) else { return bytes }
        return UnsafeRawBufferPointer(start: base, count: base.distance(to: UnsafeRawPointer(nul)))
    }

    /// Whether every byte is below 0x80, eight at a time.
    static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        var high: UInt64 = 0
        while index + 8 <= bytes.count {
            high |= bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < bytes.count {
            high |= UInt64(bytes[index])
            index += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }

    /// The slow path: walks the bytes, copying each valid UTF-8 sequence and escaping the rest.
    private static func escapingInvalidBytes(_ bytes: UnsafeRawBufferPointer) -> String {
        var result = ""
        result.reserveCapacity(bytes.count + 8)
        var index = 0
        while index < bytes.count {
            let length = validSequenceLength(bytes, at: index)
            if length > 0 {
                result += String(decoding: UnsafeRawBufferPointer(rebasing: bytes[index..<index + length]), as: UTF8.self)
                index += length
            } else {
                let byte = bytes[index]
                result += "\\x" + String(hexDigit(byte >> 4)) + String(hexDigit(byte & 0xF))
                index += 1
            }
        }
        return result
    }

    /// The length of the valid UTF-8 sequence starting at `index`, or 0 if the byte there does not
    /// start one (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).
    private static func validSequenceLength(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Int {
        let lead = bytes[index]
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return 0
        }
        guard index + length <= bytes.count else { return 0 }
        for offset in 1..<length {
            let byte = bytes[index + offset]
            let (min, max) = offset == 1 ? (low, high) : (UInt8(0x80), UInt8(0xBF))
            guard byte >= min, byte <= max else { return 0 }
        }
        return length
    }

    private static func hexDigit(_ value: UInt8) -> Character {
        Character(Unicode.Scalar(value < 10 ? 0x30 + value : 0x61 + value - 10))
    }
}
