/// Every component's statistics at one reading, in the order the components start: what
/// `/metrics` renders, what `status` reports and what the shutdown line says. Nothing is copied
/// in between: each value is the component's own (`ComponentStatistics`).
public struct DaemonFigures: Sendable {
    /// The values, in the order they were added.
    public private(set) var statistics: [any ComponentStatistics] = []

    /// No figures yet.
    public init() {}

    /// Adds one component's value (a component may add several: its counters, a hub it serves).
    public mutating func append(_ value: any ComponentStatistics) {
        statistics.append(value)
    }

    /// The first value of the type, for readers that want typed fields (`status`, the log);
    /// nil if no component reported one.
    public subscript<Statistics: ComponentStatistics>(_ type: Statistics.Type) -> Statistics? {
        for value in statistics {
            if let match = value as? Statistics { return match }
        }
        return nil
    }

    /// Writes every value's families, in order.
    public func writeMetrics(into writer: inout ExpositionWriter) {
        for value in statistics { value.writeMetrics(into: &writer) }
    }
}
