/// One connection held by a `ConnectionLoopRunner`, touched by the loop's thread only: its
/// session, where it is in its life, and the output being written to it.
final class LoopConnection<Session: ConnectionSession> {
    enum Phase {
        /// The TLS handshake, under the session's read deadline (the head timeout from the accept).
        case handshaking
        /// Reading a request: the session's read deadline applies.
        case reading
        /// A worker has the request (and, until it reports back, the socket): no deadline, no events.
        case inService
        /// Writing a response the socket did not take at once: the write deadline applies.
        case writing
        /// Answered and half-closed; reading what the client still sends until it closes.
        case lingering
    }

    /// The token of its epoll registration: unique for the loop's lifetime.
    let id: UInt64
    let fd: Int32
    var session: Session
    var phase = Phase.reading
    /// When the current phase began: at the fd cap, the longest-waiting connection goes first.
    var since: ContinuousClock.Instant
    /// When the current phase must be over (reading, writing, lingering).
    var deadline: ContinuousClock.Instant
    /// The client has half-closed: what is buffered is all it sends.
    var endOfStream = false
    /// The response being written.
    var output: ConnectionOutput<Session.HandOff>?
    /// The part of `output` counted against the loop's buffered-bytes budget.
    var buffered = 0
    /// Bytes discarded while lingering.
    var discarded = 0
    /// Its TLS session on a TLS listener: every byte goes through it (on the loop's thread only).
    var tls: TLSSession?

    init(id: UInt64, fd: Int32, session: Session, at now: ContinuousClock.Instant) {
        self.id = id
        self.fd = fd
        self.session = session
        since = now
        deadline = session.readDeadline
    }
}
