/// How much the kernel program reports about each open (`detail_level`).
public enum DetailLevel: String, CaseIterable, Codable, Sendable, CustomStringConvertible {
    /// A ring-buffer record per open, path included: every family, plus `tail`, `--print` and top paths.
    case events
    /// No record per open: the kernel counts each one per process and result, and the daemon folds
    /// its counts in. Every counter family stays exact at the lowest cost; no paths.
    case counts

    public var description: String { rawValue }
}
