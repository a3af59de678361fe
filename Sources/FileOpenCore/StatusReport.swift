/// The result of the query socket's `status` command; docs/query-protocol.md gives every field by
/// its wire name.
public struct StatusReport: Codable, Sendable, Equatable {
    /// The daemon's version (`daemon_version`).
    public var daemonVersion: String
    /// The running kernel's release, `uname -r` (`kernel_release`).
    public var kernelRelease: String
    /// The attach mode in use: `fentry`, `kprobe` or `tracepoint` (`attach_mode`).
    public var attachMode: String
    /// `events` or `counts` (`detail_level`): at `counts` the kernel counts opens and sends no record.
    public var detailLevel: DetailLevel
    /// Seconds since the daemon started (`uptime_seconds`).
    public var uptimeSeconds: Double
    /// Records received from the kernel, by kind.
    public var records: Records
    /// Kernel drop counters by reason (`ring_buffer_full`, …).
    public var drops: [String: UInt64]
    /// Opens counted without a record (`missed_opens`).
    public var missedOpens: UInt64
    /// The kernel's missed maps' fill, by map name (`missed`, `missed_comms`).
    public var missedMaps: [String: MapFill]
    /// The ring buffer's size and fill (`ring_buffer`).
    public var ringBuffer: RingBuffer
    /// Processes with counters of their own (`tracked_processes`).
    public var trackedProcesses: Int
    /// Command names with totals of their own (`tracked_comms`).
    public var trackedComms: Int
    /// The query socket's clients.
    public var clients: Clients
    /// How opens are attributed to units (`cgroups`; absent from daemons before it existed).
    public var cgroups: Cgroups?
    /// Each way of opening (`syscall`, `io_uring`, `open_by_handle_at`) and whether the attach
    /// mode in use sees it (`apis`; absent from daemons before it existed).
    public var apis: [String: OpenAPIStatus]?

    /// What the probe sees of one way of opening.
    public struct OpenAPIStatus: Codable, Sendable, Equatable {
        /// Whether the attach mode in use sees opens made this way.
        public var covered: Bool
        /// Opens made this way (failed ones included) and those that failed, as the kernel
        /// counted them; absent for `syscall`, which the kernel does not count apart.
        public var opens: UInt64?
        public var failed: UInt64?

        public init(covered: Bool, opens: UInt64? = nil, failed: UInt64? = nil) {
            (self.covered, self.opens, self.failed) = (covered, opens, failed)
        }
    }

    /// The filters in force and what they kept out (`filters`; absent from daemons before it existed).
    public var filters: Filters?

    /// The `filters` setting in force, and the opens the kernel filtered out.
    public struct Filters: Codable, Sendable, Equatable {
        /// The rules as written in canonical form (`exclude uid=0`, `failed-only`); empty: none.
        public var rules: [String]
        /// Opens filtered out since start, by kind (`uid`, `comm`, `unit`, `failed_only`).
        public var filteredOpens: [String: UInt64]

        public init(rules: [String], filteredOpens: [String: UInt64]) {
            (self.rules, self.filteredOpens) = (rules, filteredOpens)
        }

        enum CodingKeys: String, CodingKey {
            case rules, filteredOpens = "filtered_opens"
        }
    }

    /// The cgroup hierarchy opens are attributed by, and the units counted so far.
    public struct Cgroups: Codable, Sendable, Equatable {
        /// `unified` (cgroup v2 only), `hybrid` (v1 controllers too) or `legacy` (no v2: every
        /// open counts under `[unknown]`).
        public var mode: String
        /// Where the v2 hierarchy is mounted ("" where it is not).
        public var mount: String
        /// Cgroups known by id (removed ones not yet attributed included).
        public var known: Int
        /// Units with totals of their own (`[other]` and `[unknown]` aside), and the cap on them.
        public var units: Int
        public var unitLimit: Int

        public init(mode: String, mount: String, known: Int, units: Int, unitLimit: Int) {
            (self.mode, self.mount, self.known, self.units, self.unitLimit) = (mode, mount, known, units, unitLimit)
        }

        enum CodingKeys: String, CodingKey {
            case mode, mount, known, units, unitLimit = "unit_limit"
        }
    }

    /// Records received from the kernel, by kind.
    public struct Records: Codable, Sendable, Equatable {
        public var open: UInt64
        public var exit: UInt64
        public var undecodable: UInt64

        public init(open: UInt64, exit: UInt64, undecodable: UInt64) {
            self.open = open
            self.exit = exit
            self.undecodable = undecodable
        }
    }

    /// How full a kernel map is.
    public struct MapFill: Codable, Sendable, Equatable {
        public var entries: Int
        public var capacity: Int

        public init(entries: Int, capacity: Int) {
            self.entries = entries
            self.capacity = capacity
        }
    }

    /// The ring buffer's size and the bytes waiting in it.
    public struct RingBuffer: Codable, Sendable, Equatable {
        public var sizeBytes: Int
        public var pendingBytes: Int

        public init(sizeBytes: Int, pendingBytes: Int) {
            self.sizeBytes = sizeBytes
            self.pendingBytes = pendingBytes
        }

        enum CodingKeys: String, CodingKey {
            case sizeBytes = "size_bytes", pendingBytes = "pending_bytes"
        }
    }

    /// The query socket's clients.
    public struct Clients: Codable, Sendable, Equatable {
        public var connected: Int
        public var tailing: Int
        public var tailDroppedEvents: UInt64

        public init(connected: Int, tailing: Int, tailDroppedEvents: UInt64) {
            self.connected = connected
            self.tailing = tailing
            self.tailDroppedEvents = tailDroppedEvents
        }

        enum CodingKeys: String, CodingKey {
            case connected, tailing, tailDroppedEvents = "tail_dropped_events"
        }
    }

    /// A report with every field given.
    public init(
        daemonVersion: String, kernelRelease: String, attachMode: String, detailLevel: DetailLevel = .events,
        uptimeSeconds: Double, records: Records,
        drops: [String: UInt64], missedOpens: UInt64, missedMaps: [String: MapFill], ringBuffer: RingBuffer,
        trackedProcesses: Int, trackedComms: Int, clients: Clients, cgroups: Cgroups? = nil,
        apis: [String: OpenAPIStatus]? = nil, filters: Filters? = nil
    ) {
        self.daemonVersion = daemonVersion
        self.kernelRelease = kernelRelease
        self.attachMode = attachMode
        self.detailLevel = detailLevel
        self.uptimeSeconds = uptimeSeconds
        self.records = records
        self.drops = drops
        self.missedOpens = missedOpens
        self.missedMaps = missedMaps
        self.ringBuffer = ringBuffer
        self.trackedProcesses = trackedProcesses
        self.trackedComms = trackedComms
        self.clients = clients
        self.cgroups = cgroups
        self.apis = apis
        self.filters = filters
    }

    enum CodingKeys: String, CodingKey {
        case daemonVersion = "daemon_version", kernelRelease = "kernel_release", attachMode = "attach_mode"
        case detailLevel = "detail_level"
        case uptimeSeconds = "uptime_seconds", records, drops, missedOpens = "missed_opens", missedMaps = "missed_maps"
        case ringBuffer = "ring_buffer", trackedProcesses = "tracked_processes", trackedComms = "tracked_comms"
        case clients, cgroups, apis, filters
    }
}
