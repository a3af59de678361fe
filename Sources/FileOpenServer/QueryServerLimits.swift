/// The bounds the query server holds every client to.
public struct QueryServerLimits: Sendable, Equatable {
    /// The longest request line, newline included; a longer one is answered `line_too_long` and
    /// skipped up to its newline.
    public var maxLineBytes: Int
    /// Connections held at once, tail streams included (each is a descriptor; one that has not
    /// sent a complete line costs no thread). At the cap a new connection displaces the
    /// longest-waiting one without a request in service; if all have one (or stream), it gets one
    /// `busy` line and is closed. Default: a quarter of `RLIMIT_NOFILE` less a reserve
    /// (`DescriptorBudget`).
    public var maxConnections: Int
    /// Threads answering complete requests.
    public var workers: Int
    /// Requests being answered or waiting for a worker; one more is answered `busy`.
    public var maxRequestsInService: Int
    /// `tail` streams at once, each on a thread of its own; one more is answered `busy`.
    public var maxTailStreams: Int
    /// Reply bytes held for clients that read slowly, all connections together; past it the
    /// replies that have waited longest are abandoned (their connections closed).
    public var maxBufferedBytes: Int
    /// A connection that completes no request line for this long is closed (tail streams excepted).
    public var idleTimeout: Duration
    /// A reply, or one batch of tail events, must be taken by the client within this; otherwise
    /// the connection is closed. While a tail client is that far behind, its events are dropped
    /// and counted by the `TailHub`, never waited for.
    public var writeTimeout: Duration
    /// How often a tail connection with no events to send checks whether its client has hung up
    /// or the server is stopping.
    public var tailCheckInterval: Duration

    /// The limits, each defaulting to the value documented on its property.
    public init(
        maxLineBytes: Int = 4096, maxConnections: Int = DescriptorBudget.queryConnections(), workers: Int = 2,
        maxRequestsInService: Int = 1024, maxTailStreams: Int = 32, maxBufferedBytes: Int = 16 << 20,
        idleTimeout: Duration = .seconds(300), writeTimeout: Duration = .seconds(60),
        tailCheckInterval: Duration = .milliseconds(100)
    ) {
        self.maxLineBytes = maxLineBytes
        self.maxConnections = maxConnections
        self.workers = workers
        self.maxRequestsInService = maxRequestsInService
        self.maxTailStreams = maxTailStreams
        self.maxBufferedBytes = maxBufferedBytes
        self.idleTimeout = idleTimeout
        self.writeTimeout = writeTimeout
        self.tailCheckInterval = tailCheckInterval
    }
}
