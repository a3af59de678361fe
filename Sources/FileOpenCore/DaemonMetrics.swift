/// The daemon's own state at one scrape, gathered by the daemon from its parts (probe, consumer,
/// HTTP server, /proc/self) so that rendering stays pure.
public struct DaemonMetrics: Sendable {
    public var version = "unknown"
    public var libbpfVersion = "unknown"
    public var attachMode: AttachMode = .auto
    public var detailLevel: DetailLevel = .events
    /// Records the consumer thread delivered, and ones it could not decode.
    public var openRecords: UInt64 = 0
    public var exitRecords: UInt64 = 0
    /// Records of v2 cgroups made or removed.
    public var cgroupRecords: UInt64 = 0
    /// How the host mounts cgroups (`unified`, `hybrid`, `legacy`) and where the v2 hierarchy
    /// is ("" where it is not mounted).
    public var cgroupMode = "legacy"
    public var cgroupMount = ""
    public var undecodableRecords: UInt64 = 0
    /// Drain passes of the consumer thread: grows while it is alive.
    public var consumerDrains: UInt64 = 0
    /// The kernel program's drop counters.
    public var drops = DropCounts()
    public var ringBufferBytes = 0
    public var ringBufferPendingBytes = 0
    /// The kernel's missed maps (`missed`, `missed_comms`): entries at the last maintenance
    /// reading, and capacities.
    public var missedMapEntries = 0
    public var missedMapCapacity = 0
    public var missedCommMapEntries = 0
    public var missedCommMapCapacity = 0
    /// Tracked processes the liveness check found gone (their exit record and mark were lost).
    public var exitsFoundByLivenessCheck: UInt64 = 0
    public var http = HTTPCounters()
    public var query = QueryCounters()
    /// From /proc/self; nil where it could not be read.
    public var process: ProcessUsage?

    public init() {}

    /// The HTTP server's counters.
    public struct HTTPCounters: Sendable {
        public var requestsByStatus: [Int: UInt64] = [:]
        public var connectionsAccepted: UInt64 = 0
        /// Connections held now, and the cap on them.
        public var connections = 0
        public var connectionLimit = 0
        /// Refused at the connection cap (a loss stage: those clients got 503).
        public var connectionsRefused: UInt64 = 0
        /// Closed at the connection cap to admit a new one.
        public var connectionsEvicted: UInt64 = 0
        /// Answered 503 past the cap on requests in service (a loss stage).
        public var requestsRefused: UInt64 = 0
        public var headTimeouts: UInt64 = 0
        public var idleTimeouts: UInt64 = 0
        public var writeTimeouts: UInt64 = 0
        /// Responses abandoned past the budget of bytes held for slow readers.
        public var responsesShed: UInt64 = 0
        public var clientDisconnects: UInt64 = 0

        public init() {}
    }

    /// The query socket's counters.
    public struct QueryCounters: Sendable {
        public var clientsConnected = 0
        public var clientLimit = 0
        public var clientsTailing = 0
        public var requests: UInt64 = 0
        public var errors: UInt64 = 0
        /// Refused with `busy` at the connection cap (a loss stage).
        public var connectionsRefused: UInt64 = 0
        /// Closed at the connection cap to admit a new one.
        public var connectionsEvicted: UInt64 = 0
        /// Answered `busy` past the cap on requests in service or on tail streams (a loss stage).
        public var requestsRefused: UInt64 = 0
        public var idleTimeouts: UInt64 = 0
        public var writeTimeouts: UInt64 = 0
        /// Replies abandoned past the budget of bytes held for slow readers.
        public var repliesShed: UInt64 = 0
        /// Events a slow `tail` reader's queue had no room for (a loss stage; each reader is told).
        public var tailDroppedEvents: UInt64 = 0

        public init() {}
    }

    /// The standard `process_*` metrics of the Prometheus client libraries.
    public struct ProcessUsage: Sendable {
        public var cpuSeconds: Double
        public var residentBytes: UInt64
        public var virtualBytes: UInt64
        public var openFileDescriptors: UInt64
        public var maxFileDescriptors: UInt64
        /// Seconds since the Unix epoch.
        public var startTimeSeconds: Double

        public init(
            cpuSeconds: Double, residentBytes: UInt64, virtualBytes: UInt64, openFileDescriptors: UInt64,
            maxFileDescriptors: UInt64, startTimeSeconds: Double
        ) {
            self.cpuSeconds = cpuSeconds
            self.residentBytes = residentBytes
            self.virtualBytes = virtualBytes
            self.openFileDescriptors = openFileDescriptors
            self.maxFileDescriptors = maxFileDescriptors
            self.startTimeSeconds = startTimeSeconds
        }
    }
}
