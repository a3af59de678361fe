/// A fast, non-cryptographic 64-bit hash of a byte string (a path): two independent
/// multiply-rotate lanes over 16 bytes per step, so the multiplies overlap, then the tail in one
/// overlapping load. It runs for every record on the consumer thread. Not keyed: what uses it
/// either compares the bytes on a match (`KernelStringCache`) or tells apart only the few paths
/// of one process (`TopPaths`), where a crafted collision could only blur the process's own detail.
public enum ByteHash {
    /// The hash of `bytes`.
    public static func of(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
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
