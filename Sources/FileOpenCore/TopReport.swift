/// The result of the query socket's `top` command: processes ranked by lifetime counts or by
/// their rates over the last complete rate window, or command names or units ranked by their
/// lifetime totals; docs/query-protocol.md gives every field.
public struct TopReport: Codable, Sendable, Equatable {
    /// What the processes are ranked by.
    public var by: TopOrder
    /// The rate window, in seconds (`window_seconds`).
    public var windowSeconds: Double
    /// The ranked processes, first the highest (empty when `group` is not `process`).
    public var processes: [Entry]
    /// What is ranked: nil (absent) for processes, else `comm` or `unit`, ranked in `totals`.
    public var group: TopGroup?
    /// The ranked command names or units, first the highest (nil for processes).
    public var totals: [Total]?

    /// One ranked command name or unit.
    public struct Total: Codable, Sendable, Equatable {
        /// The comm, or the unit (`[other]`, `[unknown]` included).
        public var name: String
        /// The unit's container id, where it has one (`container_id`).
        public var containerID: String?
        public var opens: UInt64
        public var errors: UInt64

        public init(name: String, containerID: String? = nil, opens: UInt64, errors: UInt64) {
            (self.name, self.containerID, self.opens, self.errors) = (name, containerID, opens, errors)
        }

        enum CodingKeys: String, CodingKey {
            case name, containerID = "container_id", opens, errors
        }
    }

    /// One ranked process.
    public struct Entry: Codable, Sendable, Equatable {
        public var pid: Int32
        public var comm: String
        public var startNs: UInt64
        public var exited: Bool
        public var opens: UInt64
        public var errors: UInt64
        public var opensPerSecond: Double
        public var errorsPerSecond: Double

        public init(
            pid: Int32, comm: String, startNs: UInt64, exited: Bool, opens: UInt64, errors: UInt64,
            opensPerSecond: Double, errorsPerSecond: Double
        ) {
            self.pid = pid
            self.comm = comm
            self.startNs = startNs
            self.exited = exited
            self.opens = opens
            self.errors = errors
            self.opensPerSecond = opensPerSecond
            self.errorsPerSecond = errorsPerSecond
        }

        enum CodingKeys: String, CodingKey {
            case pid, comm, startNs = "start_ns", exited, opens, errors
            case opensPerSecond = "opens_per_second", errorsPerSecond = "errors_per_second"
        }
    }

    /// A report with every field given.
    public init(by: TopOrder, windowSeconds: Double, processes: [Entry], group: TopGroup? = nil, totals: [Total]? = nil) {
        self.by = by
        self.windowSeconds = windowSeconds
        self.processes = processes
        self.group = group
        self.totals = totals
    }

    /// The first `limit` processes (of `comm`, if given) by `order`, descending, ties by pid; or
    /// with `group` `comm` or `unit`, the first `limit` of those by lifetime opens or errors,
    /// ties by name.
    public init(_ aggregator: Aggregator, by order: TopOrder, limit: Int, comm: String?, group: TopGroup = .process) {
        by = order
        let (seconds, attoseconds) = aggregator.settings.rateWindow.components
        windowSeconds = Double(seconds) + Double(attoseconds) / 1e18
        guard group == .process else {
            self.group = group
            processes = []
            totals = Self.totals(aggregator, of: group, by: order, limit: limit)
            return
        }
        let key: (TrackedProcess) -> Double = switch order {
        case .opens: { Double($0.counters.opens) }
        case .errors: { Double($0.counters.failedOpens) }
        case .opensRate: { Double($0.opensPerSecond) }
        case .errorsRate: { Double($0.errorsPerSecond) }
        }
        // Ranked by position first, so that only the processes shown get a reply entry.
        let all = aggregator.processes.all
        let commOf = { (process: TrackedProcess) in aggregator.comms.comm(at: process.commPosition, else: process.commBytes) }
        let ranked = all.indices.lazy.filter { comm == nil || commOf(all[$0]) == comm }
            .map { (position: $0, key: key(all[$0]), pid: all[$0].identity.pid) }
            .sorted { $0.key != $1.key ? $0.key > $1.key : $0.pid < $1.pid }
            .prefix(limit)
        processes = ranked.map { ranked in
            let process = all[ranked.position]
            return Entry(
                pid: process.identity.pid, comm: commOf(process), startNs: process.identity.startTime,
                exited: process.hasExited, opens: process.counters.opens, errors: process.counters.failedOpens,
                opensPerSecond: Double(process.opensPerSecond), errorsPerSecond: Double(process.errorsPerSecond)
            )
        }
    }

    enum CodingKeys: String, CodingKey {
        case by, windowSeconds = "window_seconds", processes, group, totals
    }

    /// The first `limit` comms or units by lifetime opens (or errors), descending, ties by name.
    private static func totals(_ aggregator: Aggregator, of group: TopGroup, by order: TopOrder, limit: Int) -> [Total] {
        let all: [Total] = switch group {
        case .comm:
            aggregator.comms.all.map { Total(name: $0.comm, opens: $0.counters.opens, errors: $0.counters.failedOpens) }
        case .unit, .process:
            aggregator.units.all.map {
                Total(
                    name: $0.unit.unit, containerID: $0.unit.containerID.isEmpty ? nil : $0.unit.containerID,
                    opens: $0.counters.opens, errors: $0.counters.failedOpens)
            }
        }
        let key: (Total) -> UInt64 = order == .errors ? { $0.errors } : { $0.opens }
        return Array(all.sorted {
            key($0) != key($1) ? key($0) > key($1) : ($0.name, $0.containerID ?? "") < ($1.name, $1.containerID ?? "")
        }.prefix(limit))
    }
}
