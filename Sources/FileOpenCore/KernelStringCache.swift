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
        let hash = ByteHash.of(bytes)
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
}
