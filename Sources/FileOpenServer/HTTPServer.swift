import FileOpenCore
public import Logging
import Synchronization

/// The strict HTTP/1.1 server of the daemon's metrics endpoint: GET and HEAD only, keep-alive and
/// pipelining, gzip, and every client held to `HTTPServerLimits`.
///
/// Threading (`ConnectionLoop`): one event loop thread (`fileopend-http`, epoll) accepts, reads
/// request heads and writes what the sockets do not take at once, for every connection; a pool of
/// `workers` threads (`fileopend-hwork`) renders complete requests — a /metrics body at 100k
/// processes takes ~150 ms and is gzipped, which on the loop would stall every other client. So a
/// client that trickles its head (slowloris), idles, or reads its response slowly costs a
/// descriptor and a few hundred bytes, never a thread, and a scrape is rendered as soon as its
/// head is in. The caps bound descriptors held (`maxConnections`, from `RLIMIT_NOFILE`),
/// requests in service and response bytes held for slow readers; every refusal and timeout is
/// counted. Nothing runs on the Swift concurrency pool.
public final class HTTPServer: Sendable {
    private let sockets: [ListeningSocket]
    private let service: HTTPService
    private let loop: ConnectionLoop<HTTPService>
    private let started = Atomic<Bool>(false)

    /// A server for `sockets`, which it owns from now on and closes in `stop()`.
    public init(
        sockets: [ListeningSocket], limits: HTTPServerLimits = HTTPServerLimits(), logger: Logger, router: HTTPRouter
    ) {
        self.sockets = sockets
        service = HTTPService(limits: limits, router: router, logger: logger)
        loop = ConnectionLoop(service: service, threadName: "fileopend-http", workerName: "fileopend-hwork")
    }

    /// The listeners' addresses (with the real ports when port 0 was asked).
    public var addresses: [ListenAddress] { sockets.map(\.boundAddress) }

    /// The bounds clients are held to.
    public var limits: HTTPServerLimits { service.limits }

    /// The counters so far.
    public var statistics: HTTPServerStatistics { service.statistics.withLock { $0 } }

    /// What clients must present from now on (TLS, basic authentication) and the header fields
    /// added to responses: before `start()`, what the server starts with (default: plain HTTP,
    /// no authentication); later, a reload's (certificates and keys are read again here). Throws,
    /// changing nothing, when a file cannot be loaded or when a running server would switch
    /// between HTTP and HTTPS (that needs a restart).
    public func configure(_ web: WebSecurity) throws(ServerError) {
        try service.configure(web, requireSameTransport: started.load(ordering: .acquiring))
    }

    /// Whether the listeners speak TLS.
    public var servesTLS: Bool { service.servesTLS }

    /// Starts the event loop and the workers. Creates the loop's descriptors (`eventfd(2)`,
    /// `epoll_create1(2)`); throws if that fails, if a listening socket is closed already, or if
    /// the server was started before.
    public func start() throws(ServerError) {
        let listeners = sockets.compactMap(\.fileDescriptor)
        guard listeners.count == sockets.count else {
            throw .invalidState("a listening socket was closed before start()")
        }
        try loop.start(listeners: listeners)
        started.store(true, ordering: .releasing)
        service.logger.info("HTTP server listening on \(addresses.map(\.description).joined(separator: ", "))")
    }

    /// Stops within about one render: sets the stop flag and signals the loop, which lets the
    /// workers finish the requests they are rendering and closes every connection (a response
    /// being written is cut off); then closes the listeners (new connections are refused from
    /// then on). Idempotent; also closes the listeners of a server never started. Never call it
    /// from a handler: it waits for the worker the handler runs on.
    public func stop() {
        service.beginStopping()
        loop.stop { for socket in sockets { socket.close() } }
    }
}
