public import FileOpenCore

/// What the query server has done since it started. Every field but the gauges `connected` and
/// `tailing` is a counter that only goes up, so the daemon can export them as Prometheus counters.
public struct QueryServerStatistics: Sendable, Equatable {
    /// Connections held now, tail streams included (a gauge).
    public var connected: Int = 0
    /// Connections streaming `tail` now (a gauge).
    public var tailing: Int = 0
    /// Connections accepted and held (those refused at the cap are not in here).
    public var accepted: UInt64 = 0
    /// Connections answered `busy` and closed at the connection cap, because every connection held
    /// had a request in service or was streaming.
    public var refused: UInt64 = 0
    /// Connections closed at the connection cap to admit a new one (the longest-waiting without a
    /// request in service).
    public var evicted: UInt64 = 0
    /// Requests answered `busy` because `maxRequestsInService` were in service, or (`tail`)
    /// `maxTailStreams` were streaming.
    public var requestsRefused: UInt64 = 0
    /// Requests decoded, by command (refused ones included). Pre-filled with 0 for every command.
    public var requestsByCommand: [QueryCommand: UInt64] = Dictionary(
        uniqueKeysWithValues: QueryCommand.allCases.map { ($0, 0) })
    /// Error replies sent, by code (`busy` included). Pre-filled with 0 for every code.
    public var errorsByCode: [QueryError.Code: UInt64] = Dictionary(
        uniqueKeysWithValues: QueryError.Code.allCases.map { ($0, 0) })
    /// Connections closed after `idleTimeout` without a complete request line.
    public var idleTimeouts: UInt64 = 0
    /// Connections closed because the client did not take a reply or tail batch within `writeTimeout`.
    public var writeTimeouts: UInt64 = 0
    /// Replies abandoned because the replies held for slow readers passed `maxBufferedBytes`.
    public var repliesShed: UInt64 = 0
    /// Replies abandoned because the client closed or reset the connection while they were sent.
    public var clientDisconnects: UInt64 = 0
    /// Connections whose peer credentials could not be read (they are treated as having no access).
    public var credentialFailures: UInt64 = 0
    /// `accept(2)` failures other than the harmless ones (e.g. EMFILE: out of descriptors).
    public var acceptErrors: UInt64 = 0
    /// Event lines written to tail clients.
    public var tailEventsSent: UInt64 = 0
    /// The sum of N over the `{"dropped":N}` lines written to tail clients.
    public var tailDropsReported: UInt64 = 0
    /// Bytes written to clients.
    public var bytesSent: UInt64 = 0

    /// All zero.
    public init() {}

    /// All requests decoded.
    public var requests: UInt64 { requestsByCommand.values.reduce(0, +) }
    /// All error replies sent.
    public var errors: UInt64 { errorsByCode.values.reduce(0, +) }
    /// All timeouts together.
    public var timeouts: UInt64 { idleTimeouts + writeTimeouts }
}
