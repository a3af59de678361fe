import FileOpenCore
import FileOpenTestSupport
import Testing

@Suite("Kernel strings")
struct KernelStringTests {
    static func decode(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { KernelString.decode($0) }
    }

    @Test("valid UTF-8 is kept, the first NUL ends the string", arguments: [
        ([0x63, 0x61, 0x74], "cat"),
        ([0x63, 0x61, 0x74, 0, 0x78, 0x78], "cat"),
        ([0xC3, 0xA9, 0x74, 0xC3, 0xA9], "\u{e9}t\u{e9}"),
        ([0xF0, 0x9F, 0x90, 0x88], "\u{1F408}"),
        ([], ""),
    ] as [([UInt8], String)])
    func valid(bytes: [UInt8], expected: String) {
        #expect(Self.decode(bytes) == expected)
    }

    @Test("each invalid byte becomes \\xNN, distinct inputs stay distinct", arguments: [
        ([0xFF], "\\xff"),
        ([0x61, 0xFE, 0x62], "a\\xfeb"),
        ([0xC3], "\\xc3"),  // truncated sequence
        ([0xC0, 0xAF], "\\xc0\\xaf"),  // overlong '/'
        ([0xED, 0xA0, 0x80], "\\xed\\xa0\\x80"),  // surrogate
        ([0xF4, 0x90, 0x80, 0x80], "\\xf4\\x90\\x80\\x80"),  // above U+10FFFF
        ([0xE2, 0x82, 0xAC, 0x80], "\u{20AC}\\x80"),  // valid then a stray continuation
    ] as [([UInt8], String)])
    func invalid(bytes: [UInt8], expected: String) {
        #expect(Self.decode(bytes) == expected)
    }

    @Test("random bytes always give valid UTF-8 that round-trips for valid input (fixed seed)")
    func random() {
        var generator = SplitMix64(seed: 0x5EED)
        for _ in 0..<20_000 {
            let bytes = (0..<Int.random(in: 0...24, using: &generator)).map { _ in UInt8.random(in: 1...255, using: &generator) }
            let text = Self.decode(bytes)
            if let valid = String(validating: bytes, as: UTF8.self) {
                #expect(text == valid)
            } else {
                #expect(text.contains("\\x"))
            }
        }
    }
}
