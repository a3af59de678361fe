/// The bounds the server holds every client to. The defaults suit a Prometheus scrape endpoint.
public struct HTTPServerLimits: Sendable, Equatable {
    /// The largest request head, final CRLFCRLF included; larger gets 431.
    public var maxHeadBytes: Int
    /// Connections held at once (each is a descriptor; one that has not sent a complete request
    /// costs no thread). At the cap a new connection displaces the longest-waiting one without a
    /// request in service; if all have one, it gets 503 with `Retry-After: 1` and is closed.
    /// Default: half of `RLIMIT_NOFILE` less a reserve (`DescriptorBudget`).
    public var maxConnections: Int
    /// Threads rendering complete requests.
    public var workers: Int
    /// Requests being rendered or waiting for a worker; one more gets 503 with `Retry-After: 1`.
    public var maxRequestsInService: Int
    /// Response bytes held for clients that read slowly, all connections together; past it the
    /// responses that have waited longest are abandoned (their connections closed). A single
    /// larger response is still sent.
    public var maxBufferedBytes: Int
    /// A request head must arrive whole within this from its first byte (from the accept on a new
    /// connection), so a client trickling bytes (slowloris) cannot hold a connection.
    public var headTimeout: Duration
    /// How long a kept-alive connection may sit idle between requests (Prometheus reuses them).
    public var idleTimeout: Duration
    /// A whole response must be written within this, however slowly the client reads.
    public var writeTimeout: Duration
    /// Bodies shorter than this are sent as they are: gzip would not pay for itself.
    public var gzipMinimumBytes: Int
    /// zlib level 1 to 9. 1 (Z_BEST_SPEED): a /metrics body may be tens of MB and is scraped
    /// every few seconds, so CPU time matters more than the last few percent of size.
    public var gzipLevel: Int32

    /// The limits, each defaulting to the value documented on its property.
    public init(
        maxHeadBytes: Int = HTTPRequestHead.defaultMaxBytes, maxConnections: Int = DescriptorBudget.httpConnections(),
        workers: Int = 4, maxRequestsInService: Int = 1024, maxBufferedBytes: Int = 32 << 20,
        headTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(60),
        writeTimeout: Duration = .seconds(30),
        gzipMinimumBytes: Int = 1024, gzipLevel: Int32 = 1
    ) {
        self.maxHeadBytes = maxHeadBytes
        self.maxConnections = maxConnections
        self.workers = workers
        self.maxRequestsInService = maxRequestsInService
        self.maxBufferedBytes = maxBufferedBytes
        self.headTimeout = headTimeout
        self.idleTimeout = idleTimeout
        self.writeTimeout = writeTimeout
        self.gzipMinimumBytes = gzipMinimumBytes
        self.gzipLevel = gzipLevel
    }
}
