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

    /// Matches no kernel comm: the kernel's always ends in a NUL, so its last byte is 0.
    public static let unknown = CommBytes(low: .max, high: .max)

    /// The comm as text (`KernelString.decode`).
    public var text: String {
        withUnsafeBytes(of: self) { KernelString.decode($0) }
    }
}
