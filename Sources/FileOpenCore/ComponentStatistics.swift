/// A daemon component's figures at one moment, and the one place where they become metrics.
///
/// Each component (the probe, the consumer, maintenance, the servers, the tail hub) keeps its own
/// statistics value and hands it over as it is; `/metrics` writes every value with
/// `writeMetrics(into:)`, while `status` and the log read the same values by type
/// (`DaemonFigures[T.self]`). So a counter added to a conforming type, and written in its
/// `writeMetrics`, is exported with no other change.
public protocol ComponentStatistics: Sendable {
    /// Writes this component's metric families. Every series is written from the start, at 0:
    /// an absent series is not a zero.
    func writeMetrics(into writer: inout ExpositionWriter)
}
