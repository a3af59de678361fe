/// The result of the query socket's `proc` command: one tracked process in detail;
/// docs/query-protocol.md gives every field by its wire name. Times are nanoseconds since boot.
public struct ProcessReport: Codable, Sendable, Equatable {
    /// The process id (tgid).
    public var pid: Int32
    /// Its command name.
    public var comm: String
    /// The unit of the cgroup of its latest open (`unit`; absent where the cgroup is not known),
    /// and that unit's container id (`container_id`; absent where it has none).
    public var unit: String?
    public var containerID: String?
    /// When it started (`start_ns`); with `pid`, its identity.
    public var startNs: UInt64
    /// Its first record (`first_seen_ns`).
    public var firstSeenNs: UInt64
    /// Its latest record (`last_seen_ns`).
    public var lastSeenNs: UInt64
    /// Whether it has exited.
    public var exited: Bool
    /// When it exited (`exited_ns`), nil (null) while it runs.
    public var exitedNs: UInt64?
    /// Open attempts, failed ones included.
    public var opens: UInt64
    /// Failed open attempts.
    public var failed: UInt64
    /// Opens counted without a record.
    public var missed: UInt64
    /// Opens with `O_CREAT`.
    public var creates: UInt64
    /// Opens by access mode: `read`, `write`, `read_write` (`by_access`).
    public var byAccess: [String: UInt64]
    /// Failures by errno name.
    public var errors: [String: UInt64]
    /// The paths it opened most, most first (`top_paths`).
    public var topPaths: [PathCount]
    /// How many paths the list keeps at most (`top_paths_capacity`).
    public var topPathsCapacity = TopPaths.capacity
    /// The opens `topPaths` counted: fewer than `opens` minus `missed` when its top paths were
    /// dropped (only the most recently active processes keep them) or reset since.
    public var topPathsOpens: UInt64
    /// The daemon's detail level: at `counts` no path is ever recorded.
    public var detailLevel: DetailLevel

    /// One of the top paths and its opens: counted under the resolved path (`path`), with the
    /// path as passed in the first open it counted and how the path was resolved.
    public struct PathCount: Codable, Sendable, Equatable {
        public var path: String
        public var opens: UInt64
        /// The path as passed (`passed_path`); equal to `path` when unresolved.
        public var passed: String
        public var resolution: PathResolution

        public init(path: String, opens: UInt64, passed: String? = nil, resolution: PathResolution = .unresolved) {
            self.path = path
            self.opens = opens
            self.passed = passed ?? path
            self.resolution = resolution
        }

        enum CodingKeys: String, CodingKey {
            case path, opens, passed = "passed_path", resolution
        }

        /// `passed_path` and `resolution` may be absent (a daemon from before resolution).
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                path: try container.decode(String.self, forKey: .path),
                opens: try container.decode(UInt64.self, forKey: .opens),
                passed: try container.decodeIfPresent(String.self, forKey: .passed),
                resolution: try container.decodeIfPresent(PathResolution.self, forKey: .resolution) ?? .unresolved
            )
        }
    }

    /// A report with every field given.
    public init(
        pid: Int32, comm: String, startNs: UInt64, firstSeenNs: UInt64, lastSeenNs: UInt64, exited: Bool,
        exitedNs: UInt64?, opens: UInt64, failed: UInt64, missed: UInt64, creates: UInt64, byAccess: [String: UInt64],
        errors: [String: UInt64], topPaths: [PathCount], topPathsCapacity: Int, topPathsOpens: UInt64,
        detailLevel: DetailLevel = .events
    ) {
        self.pid = pid
        self.comm = comm
        self.startNs = startNs
        self.firstSeenNs = firstSeenNs
        self.lastSeenNs = lastSeenNs
        self.exited = exited
        self.exitedNs = exitedNs
        self.opens = opens
        self.failed = failed
        self.missed = missed
        self.creates = creates
        self.byAccess = byAccess
        self.errors = errors
        self.topPaths = topPaths
        self.topPathsCapacity = topPathsCapacity
        self.topPathsOpens = topPathsOpens
        self.detailLevel = detailLevel
    }

    /// The report of `process`, in `unit` (the unit of `process.cgroup`, if known).
    public init(_ process: TrackedProcess, detailLevel: DetailLevel = .events, unit: ServiceUnit? = nil) {
        self.detailLevel = detailLevel
        self.unit = unit?.unit
        containerID = unit.flatMap { $0.containerID.isEmpty ? nil : $0.containerID }
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
        topPaths = process.topPaths.ranked.map {
            PathCount(path: $0.path, opens: $0.opens, passed: $0.name.passed, resolution: $0.name.resolution)
        }
        topPathsOpens = process.topPaths.countedOpens
    }

    // exited_ns is written as null while the process runs, so every key is always there.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(pid, forKey: .pid)
        try container.encode(comm, forKey: .comm)
        try container.encodeIfPresent(unit, forKey: .unit)
        try container.encodeIfPresent(containerID, forKey: .containerID)
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
        try container.encode(detailLevel, forKey: .detailLevel)
    }

    enum CodingKeys: String, CodingKey {
        case pid, comm, unit, containerID = "container_id", startNs = "start_ns", firstSeenNs = "first_seen_ns", lastSeenNs = "last_seen_ns"
        case exited, exitedNs = "exited_ns", opens, failed, missed, creates, byAccess = "by_access", errors
        case topPaths = "top_paths", topPathsCapacity = "top_paths_capacity", topPathsOpens = "top_paths_opens"
        case detailLevel = "detail_level"
    }
}
