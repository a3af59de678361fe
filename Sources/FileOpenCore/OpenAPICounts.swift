/// Opens made through one `OpenAPI` other than the system calls, as the kernel program counts
/// them (its `api_opens` map): exact at both detail levels, whether or not a record was lost.
public struct OpenAPICounts: Sendable, Equatable, Codable {
    /// Every attempt, failed ones included.
    public var opens: UInt64
    /// The attempts that failed (a negative result).
    public var failed: UInt64

    public init(opens: UInt64 = 0, failed: UInt64 = 0) {
        self.opens = opens
        self.failed = failed
    }
}
