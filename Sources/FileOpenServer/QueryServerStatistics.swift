public import FileOpenCore

/// What the query server has done since it started. Every field but the gauges `connected`,
/// `clientLimit` and `tailing` is a counter that only goes up. `writeMetrics(into:)` below is where
/// each becomes a metric: a field added here is exported by adding its family there.
public struct QueryServerStatistics: ComponentStatistics, Equatable {
    /// Connections held now, tail streams included (a gauge).
    public var connected: Int = 0
    /// The cap on connections held (`QueryServerLimits.maxConnections`, a gauge).
    public var clientLimit: Int = 0
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

    /// All zero but the cap.
    public init(clientLimit: Int = 0) {
        self.clientLimit = clientLimit
    }

    /// All requests decoded.
    public var requests: UInt64 { requestsByCommand.values.reduce(0, +) }
    /// All error replies sent.
    public var errors: UInt64 { errorsByCode.values.reduce(0, +) }
    /// All timeouts together.
    public var timeouts: UInt64 { idleTimeouts + writeTimeouts }

    public func writeMetrics(into writer: inout ExpositionWriter) {
        writer.family("fileopen_query_clients", .gauge, help: "Clients connected to the query socket.")
        writer.sample(UInt64(max(0, connected)))
        writer.family(
            "fileopen_query_client_limit", .gauge, help: "The cap on query socket clients held (from RLIMIT_NOFILE).")
        writer.sample(UInt64(max(0, clientLimit)))
        writer.family("fileopen_query_requests", .counter, help: "Requests answered on the query socket.")
        writer.sample(requests)
        writer.family("fileopen_query_errors", .counter, help: "Query socket requests answered with an error.")
        writer.sample(errors)
        writer.family(
            "fileopen_query_connections_refused", .counter,
            help: "Query socket connections refused (busy) at the cap (every one held was in service or streaming)."
        )
        writer.sample(refused)
        writer.family(
            "fileopen_query_connections_evicted", .counter,
            help: "Query socket connections closed at the cap to admit a new one (the longest-waiting without a request)."
        )
        writer.sample(evicted)
        writer.family(
            "fileopen_query_requests_refused", .counter,
            help: "Query requests answered busy past the cap on requests in service or on tail streams."
        )
        writer.sample(requestsRefused)
        writer.family(
            "fileopen_query_timeouts", .counter,
            help: "Query socket connections closed for a slow or idle client: idle (no complete line), write (reply)."
        )
        writer.sample(["kind": "idle"], idleTimeouts)
        writer.sample(["kind": "write"], writeTimeouts)
        writer.family(
            "fileopen_query_replies_shed", .counter,
            help: "Query replies abandoned because the bytes held for slow readers passed their budget."
        )
        writer.sample(repliesShed)
        writer.family("fileopen_query_connections_accepted", .counter, help: "Query socket connections accepted.")
        writer.sample(accepted)
        writer.family(
            "fileopen_query_client_disconnects", .counter,
            help: "Query socket clients that went away before their reply was sent."
        )
        writer.sample(clientDisconnects)
        writer.family(
            "fileopen_query_credential_failures", .counter,
            help: "Query socket connections whose peer credentials could not be read (they get no access)."
        )
        writer.sample(credentialFailures)
        writer.family(
            "fileopen_query_accept_errors", .counter,
            help: "accept(2) failures on the query socket that paused it for 100 ms (EMFILE, ENFILE, ENOBUFS, ENOMEM)."
        )
        writer.sample(acceptErrors)
        writer.family("fileopen_query_sent_bytes", .counter, help: "Bytes written to query socket clients, tail streams included.")
        writer.sample(bytesSent)
    }
}
