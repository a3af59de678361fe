import FileOpenCore
public import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The daemon's query socket: a Unix stream socket speaking newline-delimited JSON (one request
/// line, one reply line; `tail` turns the connection into an event stream), with access decided
/// by each peer's kernel-recorded credentials (`PeerCredentials`, `QueryAccess`).
///
/// Threading, as `HTTPServer` (shared through `ConnectionAcceptor`): one accept thread
/// (`fileopend-query`) polls the listener and a wake fd; each admitted connection gets an OS
/// thread of its own (`fileopend-qconn`, at most `maxConnections`) that reads lines with a
/// deadline, asks the `QueryResponder`, and writes with a deadline; one over the cap gets a
/// `busy` line from the accept thread, written without waiting, and is closed. A tail connection
/// waits on its `TailSubscription` in slices of `tailCheckInterval`, checking between them whether
/// its client hung up or the server stops; the publisher never waits for it. Every blocking
/// call is a poll() that includes the wake fd (or a slice that ends soon), so `stop()` is prompt.
public final class QueryServer: Sendable {
    private let listener: UnixListeningSocket
    private let context: QueryServerContext
    private let acceptor: ConnectionAcceptor

    /// Binds the socket at `socketPath` (see below) and prepares the server; `start()` serves.
    /// - Creates the parent directory (0755) if missing.
    /// - Replaces a stale socket file (its daemon is gone: `connect(2)` is refused); throws
    ///   `.socketInUse` if a daemon is serving it, `.notASocket` (and leaves the file) if
    ///   something else is at the path.
    /// - Sets mode 0660 and, if `group` names an existing group, that group (`chown(2)`). If it
    ///   does not exist, the file keeps the daemon's group and one notice is logged; then only
    ///   root and members of that group get in. Nil `group`: no chown.
    public convenience init(
        socketPath: String, group: String?, limits: QueryServerLimits = QueryServerLimits(), logger: Logger,
        responder: any QueryResponder
    ) throws(ServerError) {
        let found = try group.flatMap { name throws(ServerError) in try SocketGroup.named(name) }
        let listener = try UnixListeningSocket.bind(path: socketPath, groupID: found?.id)
        self.init(listener: listener, limits: limits, logger: logger, responder: responder)
        if let group, found == nil {
            logger.notice("""
                group '\(group)' does not exist: the query socket \(socketPath) keeps group \(context.groupName), \
                so only root and that group can query (create the group or pass --socket-group)
                """)
        }
    }

    /// Serves an inherited listening Unix socket (systemd socket activation: the unit's
    /// `SocketMode=` and `SocketGroup=` apply, and the file is systemd's, so `stop()` leaves it).
    /// Read access goes to the group of the socket file. On error `fd` is still the caller's.
    public convenience init(
        adopting fd: Int32, limits: QueryServerLimits = QueryServerLimits(), logger: Logger,
        responder: any QueryResponder
    ) throws(ServerError) {
        let listener = try UnixListeningSocket(adopting: fd)
        self.init(listener: listener, limits: limits, logger: logger, responder: responder)
    }

    private init(
        listener: UnixListeningSocket, limits: QueryServerLimits, logger: Logger, responder: any QueryResponder
    ) {
        self.listener = listener
        let groupName = listener.groupID.map { SocketGroup.withID($0)?.name ?? String($0) } ?? "(none)"
        let context = QueryServerContext(
            limits: limits, responder: responder, logger: logger, socketGroupID: listener.groupID, groupName: groupName)
        self.context = context
        acceptor = ConnectionAcceptor(
            label: "query socket", acceptThreadName: "fileopend-query", connectionThreadName: "fileopend-qconn",
            logger: logger, logLimiter: context.logLimiter,
            countAcceptError: { context.record { $0.acceptErrors += 1 } }
        )
    }

    /// The socket's path (nil for an adopted socket without one).
    public var socketPath: String? { listener.path }

    /// The socket file's group id, whose members may read (nil: only root gets in).
    public var socketGroupID: UInt32? { listener.groupID }

    /// The counters so far.
    public var statistics: QueryServerStatistics { context.statistics.withLock { $0 } }

    /// Starts the accept thread. Creates the wake fd (`eventfd(2)`); throws if that fails, if the
    /// socket was closed already (`stop()`), or if the server was started before.
    public func start() throws(ServerError) {
        guard let fd = listener.fileDescriptor else {
            throw .invalidState("the query socket was closed before start()")
        }
        try acceptor.start(listeners: [fd]) { [self] socket, _ in admit(socket) }
        context.logger.info(
            "query socket listening on \(listener.path ?? "an inherited socket") (group \(context.groupName))")
    }

    /// Stops promptly: sets the stop flag and signals the wake fd, joins the accept thread, removes
    /// the socket file it created (if it is still that file: device and inode) and closes the
    /// listener, then joins every connection thread (tail streams end within `tailCheckInterval`).
    /// Idempotent; also closes and removes the socket of a server never started.
    public func stop() {
        context.beginStopping()
        acceptor.stop { listener.close() }
    }

    // MARK: - Admission (on the accept thread)

    /// The connection's body for a thread of its own, or nil after answering `busy` because
    /// `maxConnections` are open.
    private func admit(_ socket: ConnectionSocket) -> (@Sendable () -> Void)? {
        let admitted = context.statistics.withLock { statistics in
            guard statistics.connected < context.limits.maxConnections else {
                statistics.refused += 1
                statistics.errorsByCode[.busy, default: 0] += 1
                return false
            }
            statistics.connected += 1
            statistics.accepted += 1
            return true
        }
        guard admitted else {
            refuse(socket)
            return nil
        }
        return { [context] in
            QueryConnection(socket: socket, context: context).run()
            close(socket.fd)
            context.record { $0.connected -= 1 }
        }
    }

    /// Over the cap: one `busy` line, written without waiting (the accept thread must not block on
    /// a client), then close. What the client sent, if anything, is not read: the answer is the same.
    private func refuse(_ socket: ConnectionSocket) {
        let error = QueryError(
            .busy, "The daemon is serving \(context.limits.maxConnections) clients already; try again shortly.")
        let sent = socket.sendWithoutWaiting(error.replyLine)
        context.record { $0.bytesSent += UInt64(sent) }
        _ = shutdown(socket.fd, Int32(SHUT_WR))
        socket.discardQueued()
        close(socket.fd)
        if let suppressed = context.logLimiter.admit("cap") {
            let more = suppressed > 0 ? " (\(suppressed) more since the last notice)" : ""
            context.logger.notice(
                "query connection limit of \(context.limits.maxConnections) reached: refused a client as busy\(more)")
        }
    }
}
