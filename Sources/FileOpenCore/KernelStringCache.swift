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

    /// A fast, non-cryptographic hash of `bytes` (8 bytes per step, multiply-rotate mixing). Not
    /// keyed: a collision costs only a miss, since a hit also compares the bytes.
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
        var hash = UInt64(bytes.count) &* multiplier
        var index = 0
        while index + 8 <= bytes.count {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            hash = ((hash ^ word) &* multiplier).rotated(by: 29)
            index += 8
        }
        if index < bytes.count {
            var tail: UInt64 = 0
            if bytes.count >= 8 {
                // The last 8 bytes in one load, overlapping bytes already mixed in.
                tail = bytes.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self)
            } else {
                for offset in 0..<bytes.count { tail |= UInt64(bytes[offset]) << UInt64(offset * 8) }
            }
            hash = ((hash ^ tail) &* multiplier).rotated(by: 29)
        }
        return hash ^ (hash >> 32)
    }
}

extension UInt64 {
    fileprivate func rotated(by count: UInt64) -> UInt64 {
        (self << count) | (self >> (64 - count))
    }
}
