import FileOpenCore
public import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The daemon's query socket: a Unix stream socket speaking newline-delimited JSON (one request
/// line, one reply line; `tail` turns the connection into an event stream), with access decided
/// by each peer's kernel-recorded credentials (`PeerCredentials`, `QueryAccess`).
///
/// Threading, as `HTTPServer` (`ConnectionLoop`): one event loop thread (`fileopend-query`)
/// accepts, reads lines and writes replies for every connection, and a few workers
/// (`fileopend-qwork`) answer complete lines, so a client that sends half a line and waits costs
/// a descriptor, not a thread. A `tail` stream is a long-lived writer: it gets a thread of its
/// own (`fileopend-tail`, at most `maxTailStreams`) once its request is complete and allowed.
public final class QueryServer: Sendable {
    private let listener: UnixListeningSocket
    private let service: QueryService
    private let loop: ConnectionLoop<QueryService>

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
        let listener = try Self.bindSocket(path: socketPath, group: group, logger: logger)
        self.init(listener: listener, limits: limits, logger: logger, responder: responder)
    }

    /// Binds the query socket as `init(socketPath:group:…)` does, without a server yet: for a
    /// daemon that binds first (a running daemon or a bad path fails before anything is loaded)
    /// and serves it with `init(listener:…)` once its answers exist.
    public static func bindSocket(path: String, group: String?, logger: Logger) throws(ServerError) -> UnixListeningSocket {
        let found = try group.flatMap { name throws(ServerError) in try SocketGroup.named(name) }
        let listener = try UnixListeningSocket.bind(path: path, groupID: found?.id)
        if let group, found == nil {
            logger.notice("""
                group '\(group)' does not exist: the query socket \(path) keeps group \(groupName(of: listener)), \
                so only root and that group can query (create the group or pass --socket-group)
                """)
        }
        return listener
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

    /// Serves `listener` (from `bindSocket` or `UnixListeningSocket(adopting:)`), which it owns
    /// from now on and closes in `stop()`.
    public init(
        listener: UnixListeningSocket, limits: QueryServerLimits = QueryServerLimits(), logger: Logger,
        responder: any QueryResponder
    ) {
        self.listener = listener
        service = QueryService(
            limits: limits, responder: responder, logger: logger, socketGroupID: listener.groupID,
            groupName: Self.groupName(of: listener))
        loop = ConnectionLoop(service: service, threadName: "fileopend-query", workerName: "fileopend-qwork")
    }

    /// The socket file's group name (or number) for messages; "(none)" without a file.
    private static func groupName(of listener: UnixListeningSocket) -> String {
        listener.groupID.map { SocketGroup.withID($0)?.name ?? String($0) } ?? "(none)"
    }

    /// The socket's path (nil for an adopted socket without one).
    public var socketPath: String? { listener.path }

    /// The socket file's group id, whose members may read (nil: only root gets in).
    public var socketGroupID: UInt32? { listener.groupID }

    /// The bounds clients are held to.
    public var limits: QueryServerLimits { service.limits }

    /// The counters so far.
    public var statistics: QueryServerStatistics { service.statistics.withLock { $0 } }

    /// Starts the event loop and the workers. Creates the loop's descriptors (`eventfd(2)`,
    /// `epoll_create1(2)`); throws if that fails, if the socket was closed already (`stop()`), or
    /// if the server was started before.
    public func start() throws(ServerError) {
        guard let fd = listener.fileDescriptor else {
            throw .invalidState("the query socket was closed before start()")
        }
        try loop.start(listeners: [fd])
        service.logger.info(
            "query socket listening on \(listener.path ?? "an inherited socket") (group \(service.groupName))")
    }

    /// Stops promptly: sets the stop flag and signals the loop, which lets the workers finish the
    /// requests they are answering and closes every connection; then removes the socket file it
    /// created (if it is still that file: device and inode), closes the listener and joins the
    /// tail streams (they end within `tailCheckInterval`). Idempotent; also closes and removes the
    /// socket of a server never started.
    public func stop() {
        service.beginStopping()
        loop.stop {
            listener.close()
            service.joinStreams()
        }
    }
}
