/// What `top` ranks (its `group` argument): processes (the default), command names, or units.
public enum TopGroup: String, Sendable, CaseIterable, Codable {
    /// Tracked processes, with their rates.
    case process
    /// Command names, by their lifetime totals (the per-comm families).
    case comm
    /// Units and container ids, by their lifetime totals (the per-unit families).
    case unit
}
