/// One connection's protocol state, on the event loop's thread only: its buffered input and
/// when reading must have progressed.
protocol ConnectionSession {
    associatedtype Request: Sendable
    associatedtype HandOff: Sendable

    /// Bytes arrived.
    mutating func received(_ bytes: UnsafeRawBufferPointer, at now: ContinuousClock.Instant)
    /// The next step; `endOfStream` once the client has half-closed (what is buffered is all).
    mutating func next(endOfStream: Bool, at now: ContinuousClock.Instant) -> SessionStep<Request, HandOff>
    /// The answer to the last request has been written: the read clock restarts.
    mutating func answered(at now: ContinuousClock.Instant)
    /// When the input must have progressed.
    var readDeadline: ContinuousClock.Instant { get }
    /// The read deadline passed: counts it, and returns what to write before closing (nil: close at once).
    mutating func readTimedOut() -> ConnectionOutput<HandOff>?
    /// Between requests with nothing buffered: at the fd cap such a connection is closed last.
    var isIdle: Bool { get }
}

/// What a session's buffered input amounts to.
enum SessionStep<Request: Sendable, HandOff: Sendable> {
    /// Nothing complete yet: read more (unless the client has half-closed: then close).
    case needMore
    /// A complete request, for a worker.
    case dispatch(Request)
    /// An answer the loop writes itself (a refused head, an overlong line).
    case reply(ConnectionOutput<HandOff>)
}
