#if canImport(Glibc)
import Glibc
#endif

/// Recently decoded kernel strings, found again by their bytes, so that a path opened over and
/// over is decoded and allocated once instead of on every record; the strings it hands out share
/// one storage, which also makes comparing them (top paths) a pointer check. Direct-mapped by a
/// hash of the bytes: a lookup is one hash, one slot and one memcmp, a collision simply replaces
/// the slot. Bounded: `slotCount` slots of strings of at most `longestCached` bytes. Owned by
/// one thread (the consumer's), so it needs no lock.
public struct KernelStringCache {
    /// Slots (a power of two): enough for a busy host's working set of paths.
    public static let slotCount = 4096
    /// Longer strings are decoded every time: they are rare, and this bounds the cache's memory.
    public static let longestCached = 256
    /// Shorter strings are decoded every time: Swift stores up to 15 UTF-8 bytes inline, so
    /// decoding them allocates nothing and is cheaper than the lookup.
    static let shortestCached = 16

    private struct Slot {
        var hash: UInt64
        var text: String
    }

    private var slots: [Slot?] = Array(repeating: nil, count: slotCount)
    /// Lookups answered from the cache, and lookups that had to decode.
    public private(set) var hits = 0
    public private(set) var misses = 0

    public init() {}

    /// `KernelString.decode(bytes)`, from the cache when these bytes were decoded lately.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer) -> String {
        guard (Self.shortestCached...Self.longestCached).contains(bytes.count) else { return KernelString.decode(bytes) }
        let hash = Self.hash(bytes)
        let index = Int(truncatingIfNeeded: hash) & (Self.slotCount - 1)
        if let slot = slots[index], slot.hash == hash, Self.text(slot.text, equals: bytes) {
            hits += 1
            return slot.text
        }
        misses += 1
        let text = KernelString.decode(bytes)
        // Bytes that do not read back as themselves (a NUL inside, invalid UTF-8 escaped) would
        // never match the slot: leave it to a string that can.
        if Self.text(text, equals: bytes) { slots[index] = Slot(hash: hash, text: text) }
        return text
    }

    /// Whether `text`'s UTF-8 is exactly `bytes`.
    private static func text(_ text: String, equals bytes: UnsafeRawBufferPointer) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            utf8.count == bytes.count && (bytes.isEmpty || memcmp(utf8.baseAddress!, bytes.baseAddress!, bytes.count) == 0)
        }
    }

    /// A fast, non-cryptographic hash of `bytes`: two independent multiply-rotate lanes over
    /// 16 bytes per step (so the multiplies overlap), then the tail in one overlapping load. It
    /// runs for every record on the consumer thread. Not keyed: a collision costs the cache only
    /// a miss (a hit also compares the bytes), and top paths are per process.
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
        let count = bytes.count
        var first = UInt64(count) &* multiplier
        var second: UInt64 = 0xC2B2_AE3D_27D4_EB4F
        var index = 0
        while index + 16 <= count {
            first = ((first ^ bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)) &* multiplier).rotated(by: 29)
            second = ((second ^ bytes.loadUnaligned(fromByteOffset: index + 8, as: UInt64.self)) &* multiplier).rotated(by: 31)
            index += 16
        }
        if index < count {
            var tail: UInt64 = 0
            if count >= 8 {
                // The last 8 (and, past 8 left, the 8 before) in overlapping loads.
                if count - index > 8 {
                    let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                    second = ((second ^ word) &* multiplier).rotated(by: 31)
                }
                tail = bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            } else {
                for offset in 0..<count { tail |= UInt64(bytes[offset]) << UInt64(offset * 8) }
            }
            first = ((first ^ tail) &* multiplier).rotated(by: 29)
        }
        let hash = (first ^ second.rotated(by: 17)) &* multiplier
        return hash ^ (hash >> 32)
    }
}

extension UInt64 {
    fileprivate func rotated(by count: UInt64) -> UInt64 {
        (self << count) | (self >> (64 - count))
    }
}
