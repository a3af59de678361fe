/// A comm as the kernel writes it: 16 bytes (TASK_COMM_LEN), NUL-terminated and NUL-padded,
/// held as two words, so that the consumer's hot path asks "same comm as last time?" with two
/// integer compares instead of decoding a `String`.
public struct CommBytes: Sendable, Equatable {
    public var low: UInt64
    public var high: UInt64

    public init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }

    /// The first 15 bytes of `comm`'s UTF-8, NUL-padded, as the kernel holds a comm.
    public init(_ comm: String) {
        var words: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &words) { bytes in
            for (index, byte) in comm.utf8.prefix(15).enumerated() { bytes[index] = byte }
        }
        self.init(low: words.0, high: words.1)
    }

    /// The comm as text (`KernelString.decode`).
    public var text: String {
        withUnsafeBytes(of: self) { KernelString.decode($0) }
    }
}
