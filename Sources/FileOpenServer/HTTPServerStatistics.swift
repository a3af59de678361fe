/// What the server has done since it started. Every field but `connectionsOpen` is a counter that
/// only goes up, so the daemon can export them as Prometheus counters.
public struct HTTPServerStatistics: Sendable, Equatable {
    /// Connections accepted and held (those refused at the cap are not in here).
    public var connectionsAccepted: UInt64 = 0
    /// Connections answered 503 and closed at the connection cap, because every connection held
    /// had a request in service.
    public var connectionsRefused: UInt64 = 0
    /// Connections closed at the connection cap to admit a new one (the longest-waiting without a
    /// request in service).
    public var connectionsEvicted: UInt64 = 0
    /// Connections held now (a gauge).
    public var connectionsOpen: Int = 0
    /// Responses sent to requests, by status code, including the server's own 400/405/408/413/431/503/505.
    /// Pre-filled with 0 for the codes the server itself produces, so none of them is absent.
    public var requestsByStatus: [Int: UInt64] = Dictionary(
        uniqueKeysWithValues: [200, 400, 404, 405, 408, 413, 431, 503, 505].map { ($0, 0) }
    )
    /// Requests answered 503 because `maxRequestsInService` were being rendered or waiting.
    public var requestsRefused: UInt64 = 0
    /// Connections closed because a request head did not arrive whole within `headTimeout`.
    public var headTimeouts: UInt64 = 0
    /// Kept-alive connections closed after `idleTimeout` without a new request.
    public var idleTimeouts: UInt64 = 0
    /// Responses abandoned because the client did not read them within `writeTimeout`.
    public var writeTimeouts: UInt64 = 0
    /// Responses abandoned because the responses held for slow readers passed `maxBufferedBytes`.
    public var responsesShed: UInt64 = 0
    /// Responses abandoned because the client closed or reset the connection while they were sent.
    public var clientDisconnects: UInt64 = 0
    /// `accept(2)` failures other than the harmless ones (e.g. EMFILE: out of descriptors).
    public var acceptErrors: UInt64 = 0
    /// Bytes written to clients, heads included.
    public var bytesSent: UInt64 = 0

    /// All zero.
    public init() {}

    /// All timeouts together.
    public var timeouts: UInt64 { headTimeouts + idleTimeouts + writeTimeouts }

    /// All responses sent to requests.
    public var requests: UInt64 { requestsByStatus.values.reduce(0, +) }
}
