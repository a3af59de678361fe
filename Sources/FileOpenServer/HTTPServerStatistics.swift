public import FileOpenCore

/// What the server has done since it started. Every field but the gauges `connectionsOpen` and
/// `connectionLimit` is a counter that only goes up. `writeMetrics(into:)` below is where each
/// becomes a metric: a field added here is exported by adding its family there.
public struct HTTPServerStatistics: ComponentStatistics, Equatable {
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
    /// The cap on connections held (`HTTPServerLimits.maxConnections`, a gauge).
    public var connectionLimit: Int = 0
    /// Responses sent to requests, by status code, including the server's own 400/405/408/413/431/503/505.
    /// Pre-filled with 0 for the codes the server itself produces, so none of them is absent.
    public var requestsByStatus: [Int: UInt64] = Dictionary(
        uniqueKeysWithValues: [200, 400, 401, 404, 405, 408, 413, 431, 503, 505].map { ($0, 0) }
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
    /// TLS handshakes that failed (no shared version or suite, a missing or unverified client
    /// certificate, plain HTTP sent to the TLS port, a client that closed mid-handshake).
    public var tlsHandshakeFailures: UInt64 = 0

    /// All zero but the cap.
    public init(connectionLimit: Int = 0) {
        self.connectionLimit = connectionLimit
    }

    /// All timeouts together.
    public var timeouts: UInt64 { headTimeouts + idleTimeouts + writeTimeouts }

    /// All responses sent to requests.
    public var requests: UInt64 { requestsByStatus.values.reduce(0, +) }

    public func writeMetrics(into writer: inout ExpositionWriter) {
        writer.family("fileopen_http_requests", .counter, help: "HTTP requests answered, by status code.")
        for (status, count) in requestsByStatus.sorted(by: { $0.key < $1.key }) {
            writer.sample(["code": String(status)], count)
        }
        writer.family("fileopen_http_connections_accepted", .counter, help: "HTTP connections accepted.")
        writer.sample(connectionsAccepted)
        writer.family("fileopen_http_connections", .gauge, help: "HTTP connections held now.")
        writer.sample(UInt64(max(0, connectionsOpen)))
        writer.family(
            "fileopen_http_connection_limit", .gauge, help: "The cap on HTTP connections held (from RLIMIT_NOFILE).")
        writer.sample(UInt64(max(0, connectionLimit)))
        writer.family(
            "fileopen_http_connections_refused", .counter,
            help: "HTTP connections refused with 503 at the connection cap (every one held had a request in service)."
        )
        writer.sample(connectionsRefused)
        writer.family(
            "fileopen_http_connections_evicted", .counter,
            help: "HTTP connections closed at the connection cap to admit a new one (the longest-waiting without a request)."
        )
        writer.sample(connectionsEvicted)
        writer.family(
            "fileopen_http_requests_refused", .counter, help: "HTTP requests answered 503 past the cap on requests in service."
        )
        writer.sample(requestsRefused)
        writer.family(
            "fileopen_http_timeouts", .counter,
            help: "HTTP connections closed for a slow or idle client: head (request head), idle, write (response)."
        )
        writer.sample(["kind": "head"], headTimeouts)
        writer.sample(["kind": "idle"], idleTimeouts)
        writer.sample(["kind": "write"], writeTimeouts)
        writer.family(
            "fileopen_http_responses_shed", .counter,
            help: "HTTP responses abandoned because the bytes held for slow readers passed their budget."
        )
        writer.sample(responsesShed)
        writer.family(
            "fileopen_http_client_disconnects", .counter, help: "HTTP clients that went away before their response was sent."
        )
        writer.sample(clientDisconnects)
        writer.family(
            "fileopen_http_accept_errors", .counter,
            help: "accept(2) failures on the metrics listeners that paused them for 100 ms (EMFILE, ENFILE, ENOBUFS, ENOMEM)."
        )
        writer.sample(acceptErrors)
        writer.family("fileopen_http_sent_bytes", .counter, help: "Bytes written to HTTP clients, heads included.")
        writer.sample(bytesSent)
        writer.family(
            "fileopen_http_tls_handshake_failures", .counter,
            help: "TLS handshakes on the metrics listeners that failed (web_config_file's tls_server_config; 0 without TLS)."
        )
        writer.sample(tlsHandshakeFailures)
    }
}
