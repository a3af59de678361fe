/// The bounds the query server holds every client to.
public struct QueryServerLimits: Sendable, Equatable {
    /// The longest request line, newline included; a longer one is answered `line_too_long` and
    /// skipped up to its newline.
    public var maxLineBytes: Int
    /// Connections served at once; one more gets one `busy` error line and is closed.
    public var maxConnections: Int
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
        maxLineBytes: Int = 4096, maxConnections: Int = 128, idleTimeout: Duration = .seconds(300),
        writeTimeout: Duration = .seconds(60), tailCheckInterval: Duration = .milliseconds(100)
    ) {
        self.maxLineBytes = maxLineBytes
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.writeTimeout = writeTimeout
        self.tailCheckInterval = tailCheckInterval
    }
}
