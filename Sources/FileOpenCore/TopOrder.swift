/// What `top` sorts by (its `by` argument), descending, ties by pid.
public enum TopOrder: String, Sendable, CaseIterable, Codable {
    /// Lifetime opens of the process (the default).
    case opens
    /// Lifetime failed opens of the process.
    case errors
    /// Opens per second over the last complete rate window.
    case opensRate = "opens_rate"
    /// Failed opens per second over the last complete rate window.
    case errorsRate = "errors_rate"
}
