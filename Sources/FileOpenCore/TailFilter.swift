/// Which events a `tail` subscriber receives. Every condition that is set must hold; an unset
/// filter matches everything, exits included.
public struct TailFilter: Sendable, Equatable {
    /// Only this process (tgid).
    public var pid: Int32?
    /// Only this command name, compared exactly (as `EventLineFormatter` prints it).
    public var comm: String?
    /// Only opens whose path as passed, or as resolved, starts with these bytes.
    public var pathPrefix: String?
    /// Only failed opens.
    public var failedOnly: Bool
    /// Only events in this unit (the `unit` label of the per-unit families), compared exactly.
    public var unit: String?

    /// A filter; the defaults match every record.
    public init(
        pid: Int32? = nil, comm: String? = nil, pathPrefix: String? = nil, failedOnly: Bool = false, unit: String? = nil
    ) {
        self.pid = pid
        self.comm = comm
        self.pathPrefix = pathPrefix
        self.failedOnly = failedOnly
        self.unit = unit
    }

    /// Whether `record` passes. A process exit has no path and no result, so it passes only when
    /// neither `pathPrefix` nor `failedOnly` is set (and pid and comm match).
    /// The prefix is compared byte by byte (UTF-8), not by Unicode equivalence: paths are bytes.
    public func matches(_ record: ProbeRecord) -> Bool {
        switch record {
        case .open(let event):
            if let pid, event.process.pid != pid { return false }
            if let comm, event.comm != comm { return false }
            if failedOnly, event.result >= 0 { return false }
            if let unit, event.unit != unit { return false }
            if let pathPrefix, !event.path.utf8.starts(with: pathPrefix.utf8),
               !event.resolvedPath.utf8.starts(with: pathPrefix.utf8) { return false }
            return true
        case .exit(let exit):
            guard pathPrefix == nil, !failedOnly else { return false }
            if let pid, exit.process.pid != pid { return false }
            if let comm, exit.comm != comm { return false }
            if let unit, exit.unit != unit { return false }
            return true
        }
    }

    /// Whether no condition is set, so every record matches and a batch need not be filtered.
    var matchesEverything: Bool { self == TailFilter() }
}
