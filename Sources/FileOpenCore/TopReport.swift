/// The result of the query socket's `top` command: processes ranked by lifetime counts or by
/// their rates over the last complete rate window; docs/query-protocol.md gives every field.
public struct TopReport: Codable, Sendable, Equatable {
    /// What the processes are ranked by.
    public var by: TopOrder
    /// The rate window, in seconds (`window_seconds`).
    public var windowSeconds: Double
    /// The ranked processes, first the highest.
    public var processes: [Entry]

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
    public init(by: TopOrder, windowSeconds: Double, processes: [Entry]) {
        self.by = by
        self.windowSeconds = windowSeconds
        self.processes = processes
    }

    /// The first `limit` processes (of `comm`, if given) by `order`, descending; ties by pid.
    public init(_ aggregator: Aggregator, by order: TopOrder, limit: Int, comm: String?) {
        by = order
        let (seconds, attoseconds) = aggregator.settings.rateWindow.components
        windowSeconds = Double(seconds) + Double(attoseconds) / 1e18
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
        case by, windowSeconds = "window_seconds", processes
    }
}
