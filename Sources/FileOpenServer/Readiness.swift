/// Whether the daemon can serve what it promises: the probe attached and the consumer thread
/// draining the ring buffer.
public enum Readiness: Sendable, Equatable {
    case ready
    /// Not ready, and why (one line for the operator).
    case notReady(String)
}
