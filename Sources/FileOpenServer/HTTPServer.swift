import FileOpenCore
public import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The strict HTTP/1.1 server of the daemon's metrics endpoint: GET and HEAD only, keep-alive and
/// pipelining, gzip, and every client held to `HTTPServerLimits`.
///
/// Threading: one accept thread polls the listeners and a wake fd; each admitted connection gets
/// an OS thread of its own (at most `maxConnections`), which reads with deadlines, runs the
/// handler and writes. Thread-per-connection rather than one poll() loop, because a handler may
/// render for ~150 ms (a /metrics body at 100k processes) and gzip it: on a single event loop
/// that would stall every other client, or need a worker pool plus hand-offs back to the loop.
/// With the cap at 64 the threads cost little, each connection's code is straight-line blocking
/// I/O that is easy to get right, and a slow or hostile client ties up only its own thread,
/// until its head, idle or write deadline. Every blocking call is a poll() that includes the
/// wake fd, so `stop()` interrupts all of them at once; none of this runs on the Swift
/// concurrency pool.
public final class HTTPServer: Sendable {
    private let sockets: [ListeningSocket]
    private let context: ServerContext
    private let acceptor: ConnectionAcceptor

    /// A server for `sockets`, which it owns from now on and closes in `stop()`.
    public init(
        sockets: [ListeningSocket], limits: HTTPServerLimits = HTTPServerLimits(), logger: Logger, router: HTTPRouter
    ) {
        self.sockets = sockets
        let context = ServerContext(limits: limits, router: router, logger: logger)
        self.context = context
        acceptor = ConnectionAcceptor(
            label: "HTTP listener", acceptThreadName: "fileopend-http", connectionThreadName: "fileopend-conn",
            logger: logger, logLimiter: context.logLimiter,
            countAcceptError: { context.record { $0.acceptErrors += 1 } }
        )
    }

    /// The listeners' addresses (with the real ports when port 0 was asked).
    public var addresses: [ListenAddress] { sockets.map(\.boundAddress) }

    /// The counters so far.
    public var statistics: HTTPServerStatistics { context.statistics.withLock { $0 } }

    /// Starts the accept thread (`fileopend-http`). Creates the wake fd (`eventfd(2)`); throws if
    /// that fails, if a listening socket is closed already, or if the server was started before.
    public func start() throws(ServerError) {
        let listeners = sockets.compactMap(\.fileDescriptor)
        guard listeners.count == sockets.count else {
            throw .invalidState("a listening socket was closed before start()")
        }
        try acceptor.start(listeners: listeners) { [self] socket, storage in
            admit(socket, peer: ListenAddress(socketAddress: storage)?.description ?? "unknown peer")
        }
        context.logger.info("HTTP server listening on \(addresses.map(\.description).joined(separator: ", "))")
    }

    /// Stops within about one handler run: sets the stop flag and signals the wake fd, joins the
    /// accept thread, closes the listeners (new connections are refused from then on), and joins
    /// every connection thread, each of which closes its connection as it leaves. A response being
    /// written is cut off. Idempotent; also closes the listeners of a server never started.
    /// Never call it from a handler: it waits for the handler's own thread.
    public func stop() {
        context.beginStopping()
        acceptor.stop { for socket in sockets { socket.close() } }
    }

    // MARK: - Admission (on the accept thread)

    /// The connection's body for a thread of its own, or nil after answering 503 because
    /// `maxConnections` are open.
    private func admit(_ socket: ConnectionSocket, peer: String) -> (@Sendable () -> Void)? {
        let admitted = context.statistics.withLock { statistics in
            guard statistics.connectionsOpen < context.limits.maxConnections else {
                statistics.connectionsRefused += 1
                return false
            }
            statistics.connectionsOpen += 1
            statistics.connectionsAccepted += 1
            return true
        }
        guard admitted else {
            refuse(socket, peer: peer)
            return nil
        }
        var noDelay: Int32 = 1
        // A response is one sendmsg(2), but Nagle could hold its tail until the client's delayed ACK.
        _ = setsockopt(socket.fd, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        return { [context] in
            HTTPConnection(socket: socket, peer: peer, context: context).run()
            close(socket.fd)
            context.record { $0.connectionsOpen -= 1 }
        }
    }

    /// Over the cap: a 503 with `Retry-After: 1`, written without waiting (the accept thread must
    /// not block on a client), then close. The request, if any, is not read: the answer is the same.
    private func refuse(_ socket: ConnectionSocket, peer: String) {
        let response = HTTPResponse.serviceUnavailable
        let head = ResponseHeadEncoder.encode(
            response, contentLength: response.body.count, gzip: false, varyOnEncoding: false, connection: "close"
        )
        let sent = socket.sendWithoutWaiting(head + response.body)
        context.record { $0.bytesSent += UInt64(sent) }
        _ = shutdown(socket.fd, Int32(SHUT_WR))
        socket.discardQueued()
        close(socket.fd)
        if let suppressed = context.logLimiter.admit("cap") {
            let more = suppressed > 0 ? " (\(suppressed) more since the last notice)" : ""
            context.logger.notice(
                "connection limit of \(context.limits.maxConnections) reached: refused \(peer) with 503\(more)"
            )
        }
    }
}
