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

@Suite("Kernel string cache")
struct KernelStringCacheTests {
    static func decode(_ text: [UInt8], with cache: inout KernelStringCache) -> String {
        text.withUnsafeBytes { cache.decode($0) }
    }

    @Test("a repeated path comes from the cache with the same text; anything else decodes as before")
    func decodesLikeKernelString() {
        var cache = KernelStringCache()
        let inputs: [[UInt8]] = [
            Array("/usr/lib/x86_64-linux-gnu/libc.so.6".utf8),
            Array("/etc/hostname".utf8),  // short: never cached
            Array("/tmp/caf\u{e9}/\u{1F408}/notes.txt".utf8),
            Array("/tmp/bad-\u{00}-utf8-bytes-here".utf8),  // a NUL inside: decodes to the part before
            [0x2F, 0x74, 0x6D, 0x70, 0x2F] + [UInt8](repeating: 0xFF, count: 20),  // invalid UTF-8, escaped
            Array(String(repeating: "/very-long", count: 40).utf8),  // over longestCached
        ]
        for round in 1...3 {
            for input in inputs {
                let expected = KernelStringTests.decode(input)
                #expect(Self.decode(input, with: &cache) == expected, "round \(round): \(expected)")
            }
        }
        // Only the first and third inputs can be cached (16...256 bytes reading back as themselves).
        #expect(cache.hits == 4)
        #expect(cache.misses == 2 + 3 * 2)
    }

    @Test("colliding slots and many distinct paths never return another path's text")
    func collisions() {
        var cache = KernelStringCache()
        let paths = (0..<(3 * KernelStringCache.slotCount)).map { "/proc/\($0)/status-of-this-process" }
        for round in 0..<2 {
            for path in paths {
                #expect(Self.decode(Array(path.utf8), with: &cache) == path, "round \(round)")
            }
        }
        #expect(cache.hits + cache.misses == 2 * paths.count)
    }
}

@Suite("Byte hash")
struct ByteHashTests {
    @Test("every byte of every length up to 48 counts: flipping any one changes the hash")
    func everyByteCounts() {
        for length in 0...48 {
            var bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let original = bytes.withUnsafeBytes { ByteHash.of($0) }
            for index in 0..<length {
                bytes[index] ^= 0x40
                let changed = bytes.withUnsafeBytes { ByteHash.of($0) }
                bytes[index] ^= 0x40
                #expect(changed != original, "length \(length), byte \(index)")
            }
            // A trailing zero byte is not the same string.
            let longer = (bytes + [0]).withUnsafeBytes { ByteHash.of($0) }
            #expect(longer != original, "length \(length) and one NUL more")
        }
    }
}
