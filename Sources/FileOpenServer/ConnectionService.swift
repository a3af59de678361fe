import Logging
#if canImport(Glibc)
import Glibc
#endif

/// A protocol served by a `ConnectionLoop` (HTTP, query lines): how a connection starts, what a
/// complete request is answered with (on a worker thread), and where the loop's counts go.
protocol ConnectionService: Sendable {
    associatedtype Session: ConnectionSession where Session.HandOff == HandOff
    /// What a connection taken over by the service carries (`Never` when the service takes none).
    associatedtype HandOff: Sendable
    typealias Output = ConnectionOutput<HandOff>

    /// What the log lines call the listener, e.g. "HTTP listener".
    var label: String { get }
    var logger: Logger { get }
    var logLimiter: LogRateLimiter { get }
    /// The caps and timeouts the loop holds connections to.
    var loopLimits: ConnectionLoopLimits { get }
    /// Connections the service has taken over and not yet closed; they count against the fd cap.
    var connectionsTakenOver: Int { get }

    /// The session of a connection just accepted (non-blocking, close-on-exec) from `peer`.
    func session(for fd: Int32, peer: sockaddr_storage, at now: ContinuousClock.Instant) -> Session
    /// Answers a complete request: calls `reply` exactly once, on this worker thread or on
    /// another's (a render shared by several requests answers all of them on the thread that ran
    /// it). It may take a while.
    func respond(to request: Session.Request, reply: @escaping @Sendable (Output) -> Void)
    /// The answer to a request refused because `maxRequestsInService` are in service.
    func busy(_ request: Session.Request) -> Output
    /// Written without waiting to a connection refused at the fd cap, before it is closed (and
    /// counted as the service counts its answers).
    func refusal() -> [UInt8]
    /// Takes over the connection (and the duty to close `fd`) for a long-lived stream; or declines
    /// it with the answer to write instead, after which the connection goes on as before.
    /// `wake` is the loop's stop signal; `readOpen` is false once the client half-closed.
    func takeOver(_ fd: Int32, for handOff: HandOff, wake: WakeEvent, readOpen: Bool) -> Output?
    /// Counts what the loop did.
    func record(_ event: ConnectionEvent)
    /// Whether connections are TLS. It never changes while the loop runs.
    var servesTLS: Bool { get }
    /// The TLS session a connection just accepted on `fd` starts with (`servesTLS`); nil if
    /// OpenSSL could not make one (out of memory): the loop then closes the connection.
    func tlsSession(for fd: Int32) -> TLSSession?
}

extension ConnectionService {
    /// Plain connections.
    var servesTLS: Bool { false }

    func tlsSession(for fd: Int32) -> TLSSession? { nil }
}
