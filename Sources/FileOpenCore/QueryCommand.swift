/// The commands of the query socket's protocol (version 1), by their wire name.
public enum QueryCommand: String, Sendable, CaseIterable {
    /// The daemon's health and counters; readers may ask.
    case status
    /// The processes with the most opens (or errors, or rates); readers may ask.
    case top
    /// One process in detail; readers may ask.
    case proc
    /// A stream of matching events on the connection; readers may ask.
    case tail
    /// Zeroes the per-process query detail; root only.
    case reset
}
