/// The result of the query socket's `proc` command: one tracked process in detail.
public struct ProcessReport: Encodable, Sendable {
    public var pid: Int32
    public var comm: String
    public var startNs: UInt64
    public var firstSeenNs: UInt64
    public var lastSeenNs: UInt64
    public var exited: Bool
    public var exitedNs: UInt64?
    public var opens: UInt64
    public var failed: UInt64
    public var missed: UInt64
    public var creates: UInt64
    public var byAccess: [String: UInt64]
    /// Failures by errno name.
    public var errors: [String: UInt64]
    public var topPaths: [PathCount]
    public var topPathsCapacity = TopPaths.capacity
    /// The opens `topPaths` counted: fewer than `opens` minus `missed` when its top paths were
    /// dropped (only the most recently active processes keep them) or reset since.
    public var topPathsOpens: UInt64
    /// The daemon's detail level: at `counts` no path is ever recorded.
    public var detailLevel: DetailLevel

    public struct PathCount: Encodable, Sendable, Equatable {
        public var path: String
        public var opens: UInt64
    }

    public init(_ process: TrackedProcess, detailLevel: DetailLevel = .events) {
        self.detailLevel = detailLevel
        pid = process.identity.pid
        comm = process.comm
        startNs = process.identity.startTime
        firstSeenNs = process.firstSeen
        lastSeenNs = process.lastSeen
        exited = process.hasExited
        exitedNs = process.exitedAt
        let counters = process.counters
        opens = counters.opens
        failed = counters.failedOpens
        missed = counters.missedOpens
        creates = counters.creates
        byAccess = ["read": counters.reads, "write": counters.writes, "read_write": counters.readWrites]
        errors = Dictionary(counters.errors.map { ($0.name, $0.count) }, uniquingKeysWith: +)
        topPaths = process.topPaths.ranked.map { PathCount(path: $0.path, opens: $0.opens) }
        topPathsOpens = process.topPaths.countedOpens
    }

    // exited_ns is written as null while the process runs, so every key is always there.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(pid, forKey: .pid)
        try container.encode(comm, forKey: .comm)
        try container.encode(startNs, forKey: .startNs)
        try container.encode(firstSeenNs, forKey: .firstSeenNs)
        try container.encode(lastSeenNs, forKey: .lastSeenNs)
        try container.encode(exited, forKey: .exited)
        try container.encode(exitedNs, forKey: .exitedNs)
        try container.encode(opens, forKey: .opens)
        try container.encode(failed, forKey: .failed)
        try container.encode(missed, forKey: .missed)
        try container.encode(creates, forKey: .creates)
        try container.encode(byAccess, forKey: .byAccess)
        try container.encode(errors, forKey: .errors)
        try container.encode(topPaths, forKey: .topPaths)
        try container.encode(topPathsCapacity, forKey: .topPathsCapacity)
        try container.encode(topPathsOpens, forKey: .topPathsOpens)
        try container.encode(detailLevel.rawValue, forKey: .detailLevel)
    }

    enum CodingKeys: String, CodingKey {
        case pid, comm, startNs = "start_ns", firstSeenNs = "first_seen_ns", lastSeenNs = "last_seen_ns"
        case exited, exitedNs = "exited_ns", opens, failed, missed, creates, byAccess = "by_access", errors
        case topPaths = "top_paths", topPathsCapacity = "top_paths_capacity", topPathsOpens = "top_paths_opens"
        case detailLevel = "detail_level"
    }
}
