/// What the event loop tells its service to count.
enum ConnectionEvent {
    /// A connection was accepted and is held.
    case accepted
    /// A held connection was closed (for any reason).
    case closed
    /// A new connection was refused at the fd cap: every held one had a request in service.
    case refused
    /// A held connection was closed at the fd cap to admit a new one.
    case evicted
    /// A complete request was answered busy because `maxRequestsInService` were in service.
    case requestRefused
    /// A response was abandoned: not read within the write timeout.
    case writeTimedOut
    /// A response was abandoned: the buffered output of all connections passed
    /// `maxBufferedBytes`, and this one had waited longest.
    case shed
    /// A response was abandoned: the client closed or reset the connection.
    case clientGone
    /// Bytes written to a client.
    case sent(Int)
    /// `accept(2)` failed for want of descriptors or memory; the listener pauses 100 ms.
    case acceptFailed
    /// A TLS handshake failed (the connection is closed).
    case handshakeFailed
}
