/// The result of the query socket's `status` command.
public struct StatusReport: Encodable, Sendable {
    public var daemonVersion: String
    public var kernelRelease: String
    public var attachMode: String
    /// `events` or `counts`.
    public var detailLevel: String
    public var uptimeSeconds: Double
    public var records: Records
    /// Kernel drop counters by reason (`ring_buffer_full`, …).
    public var drops: [String: UInt64]
    public var missedOpens: UInt64
    /// The kernel's missed maps' fill, by map name (`missed`, `missed_comms`).
    public var missedMaps: [String: MapFill]
    public var ringBuffer: RingBuffer
    public var trackedProcesses: Int
    public var trackedComms: Int
    public var clients: Clients

    public struct Records: Encodable, Sendable {
        public var open: UInt64
        public var exit: UInt64
        public var undecodable: UInt64
    }

    public struct MapFill: Encodable, Sendable {
        public var entries: Int
        public var capacity: Int
    }

    public struct RingBuffer: Encodable, Sendable {
        public var sizeBytes: Int
        public var pendingBytes: Int

        enum CodingKeys: String, CodingKey {
            case sizeBytes = "size_bytes", pendingBytes = "pending_bytes"
        }
    }

    public struct Clients: Encodable, Sendable {
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

    /// The report from the daemon's figures and a snapshot of its counters.
    public init(
        daemon: DaemonMetrics, aggregator: Aggregator, kernelRelease: String, uptime: Duration, clients: Clients
    ) {
        daemonVersion = daemon.version
        self.kernelRelease = kernelRelease
        attachMode = daemon.attachMode.rawValue
        detailLevel = daemon.detailLevel.rawValue
        let (seconds, attoseconds) = uptime.components
        uptimeSeconds = Double(seconds) + Double(attoseconds) / 1e18
        records = Records(open: daemon.openRecords, exit: daemon.exitRecords, undecodable: daemon.undecodableRecords)
        drops = Dictionary(uniqueKeysWithValues: DropReason.allCases.map { ($0.description, daemon.drops[$0]) })
        missedOpens = aggregator.statistics.missedOpens
        missedMaps = [
            "missed": MapFill(entries: daemon.missedMapEntries, capacity: daemon.missedMapCapacity),
            "missed_comms": MapFill(entries: daemon.missedCommMapEntries, capacity: daemon.missedCommMapCapacity),
        ]
        ringBuffer = RingBuffer(sizeBytes: daemon.ringBufferBytes, pendingBytes: daemon.ringBufferPendingBytes)
        trackedProcesses = aggregator.processes.count
        trackedComms = aggregator.comms.count
        self.clients = clients
    }

    enum CodingKeys: String, CodingKey {
        case daemonVersion = "daemon_version", kernelRelease = "kernel_release", attachMode = "attach_mode"
        case detailLevel = "detail_level"
        case uptimeSeconds = "uptime_seconds", records, drops, missedOpens = "missed_opens", missedMaps = "missed_maps"
        case ringBuffer = "ring_buffer", trackedProcesses = "tracked_processes", trackedComms = "tracked_comms"
        case clients
    }
}
