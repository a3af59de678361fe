/// The bounds a `ConnectionLoop` holds its connections to, taken from its server's limits.
struct ConnectionLoopLimits: Sendable {
    /// Connections held at once (each is a descriptor). At the cap a new connection displaces the
    /// longest-waiting one without a request in service; if every one has a request in service,
    /// it is refused.
    var maxConnections: Int
    /// Threads answering complete requests.
    var workers: Int
    /// Requests being answered or waiting for a worker; one more is answered busy.
    var maxRequestsInService: Int
    /// Response bytes waiting for slow clients, all connections together; past it the responses
    /// that have waited longest are abandoned.
    var maxBufferedBytes: Int
    /// A whole response must be written within this.
    var writeTimeout: Duration
    /// How long a connection closing after its response waits for the client to close its side.
    var lingerTime: Duration
}
