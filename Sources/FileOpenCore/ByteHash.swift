/// A fast, non-cryptographic 64-bit hash of a byte string (a path), in the manner of wyhash:
/// words are mixed by 64 × 64 → 128-bit multiplies folded back to 64 bits, two at a time over
/// 32-byte blocks so they overlap, and the last 16 bytes in one overlapping load. A 33-byte path
/// is three dependent multiplies. It runs for every record on the consumer thread. Not keyed:
/// what uses it either compares the bytes on a match (`KernelStringCache`) or tells apart only
/// the few paths of one process (`TopPaths`), where a crafted collision could only blur the
/// process's own detail.
public enum ByteHash {
    private static let keys: (UInt64, UInt64, UInt64, UInt64) =
        (0xA076_1D64_78BD_642F, 0xE703_7ED1_A0B4_28DB, 0x8EBC_6AF0_9C88_C6E3, 0x5899_65CC_7537_4CC3)

    /// The hash of `bytes`.
    public static func of(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let count = bytes.count
        let seed = UInt64(truncatingIfNeeded: count) ^ keys.0
        var first: UInt64
        var second: UInt64
        var lane = seed
        if count <= 16 {
            if count >= 8 {
                first = bytes.loadUnaligned(as: UInt64.self)
                second = bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            } else if count >= 4 {
                first = UInt64(bytes.loadUnaligned(as: UInt32.self))
                second = UInt64(bytes.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
            } else if count > 0 {
                // Bytes 0, middle and last cover every byte of 1, 2 or 3.
                first = UInt64(bytes[0]) << 16 | UInt64(bytes[count >> 1]) << 8 | UInt64(bytes[count - 1])
                second = 0
            } else {
                first = 0
                second = 0
            }
        } else {
            var other = seed ^ keys.3
            var index = 0
            while count - index > 32 {
                lane = fold(word(bytes, index) ^ keys.1, word(bytes, index + 8) ^ lane)
                other = fold(word(bytes, index + 16) ^ keys.2, word(bytes, index + 24) ^ other)
                index += 32
            }
            if count - index > 16 {
                lane = fold(word(bytes, index) ^ keys.1, word(bytes, index + 8) ^ lane)
            }
            lane ^= other
            first = word(bytes, count - 16)
            second = word(bytes, count - 8)
        }
        return fold(fold(first ^ keys.1, second ^ lane) ^ keys.2, seed ^ keys.3)
    }

    private static func word(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
    }

    /// The 128-bit product of `a` and `b`, its halves xored.
    private static func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }
}
