import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The HTTP side of an `HTTPServer`'s event loop: what a connection starts with, how a request is
/// answered (on a worker: route, gzip, head), and its counters. Shared by the loop and workers.
final class HTTPService: ConnectionService {
    typealias HandOff = Never

    let limits: HTTPServerLimits
    let router: HTTPRouter
    let logger: Logger
    let logLimiter = LogRateLimiter()
    let statistics: Mutex<HTTPServerStatistics>
    let label = "HTTP listener"
    let loopLimits: ConnectionLoopLimits
    /// Renders of shared routes (`/metrics`) in progress.
    private let renders = SharedRender<EncodedBody>()
    private let stopping = Atomic<Bool>(false)
    /// What clients must present (TLS, basic authentication) and the extra header fields; swapped
    /// whole by a reload, read per connection (TLS) and per request (the rest).
    private let security = Mutex(Security())

    /// `WebSecurity` loaded: the TLS context built, the authenticator made.
    private struct Security {
        var tls: TLSContext?
        var authenticator: BasicAuthenticator?
        var headers: [(name: String, value: String)] = []
    }

    /// How long a closing connection waits for the client to close its side.
    private static let lingerTime = Duration.seconds(2)
    /// What a request past `maxRequestsInService` gets.
    private static let busyResponse = HTTPResponse.error(
        .serviceUnavailable, detail: "too many requests in service", headers: ["Retry-After": "1"])

    init(limits: HTTPServerLimits, router: HTTPRouter, logger: Logger) {
        self.limits = limits
        self.router = router
        self.logger = logger
        statistics = Mutex(HTTPServerStatistics(connectionLimit: limits.maxConnections))
        loopLimits = ConnectionLoopLimits(
            maxConnections: limits.maxConnections, workers: limits.workers,
            maxRequestsInService: limits.maxRequestsInService, maxBufferedBytes: limits.maxBufferedBytes,
            writeTimeout: limits.writeTimeout, lingerTime: min(limits.headTimeout, Self.lingerTime))
    }

    /// Set once by `HTTPServer.stop()`: responses from then on close their connection.
    var isStopping: Bool { stopping.load(ordering: .acquiring) }

    func beginStopping() {
        stopping.store(true, ordering: .releasing)
    }

    var connectionsTakenOver: Int { 0 }

    /// Loads `web` (its certificates and keys are read now) and applies it to connections
    /// accepted and requests answered from now on. With `requireSameTransport` (a running server),
    /// switching between plain HTTP and TLS is refused: clients and scrape configs would all break.
    func configure(_ web: WebSecurity, requireSameTransport: Bool) throws(ServerError) {
        let context = try web.tls.map { tls throws(ServerError) in try TLSContext(tls) }
        let authenticator = web.basicAuthUsers.isEmpty ? nil : BasicAuthenticator(users: web.basicAuthUsers)
        try security.withLock { (security: inout Security) throws(ServerError) in
            if requireSameTransport, (security.tls == nil) != (context == nil) {
                let kept = security.tls == nil ? "HTTP" : "HTTPS"
                throw .tls(
                    "tls_server_config",
                    reason: "switching the metrics listener between HTTP and HTTPS needs a restart; kept \(kept)")
            }
            security = Security(tls: context, authenticator: authenticator, headers: web.headers)
        }
    }

    /// Whether connections are TLS.
    var servesTLS: Bool { security.withLock { $0.tls != nil } }

    func tlsSession(for fd: Int32) -> TLSSession? {
        guard let context = security.withLock({ $0.tls }) else { return nil }
        return TLSSession(context: context, fd: fd)
    }

    func record(_ update: (inout HTTPServerStatistics) -> Void) {
        statistics.withLock { update(&$0) }
    }

    func session(for fd: Int32, peer: sockaddr_storage, at now: ContinuousClock.Instant) -> HTTPSession {
        var noDelay: Int32 = 1
        // A response is one sendmsg(2), but Nagle could hold its tail until the client's delayed ACK.
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        return HTTPSession(
            service: self, peer: ListenAddress(socketAddress: peer)?.description ?? "unknown peer", at: now)
    }

    /// Routes, encodes and logs one request. A shared route's requests wait for its next render
    /// (one per key and encoding at a time) and are answered on the thread that ran it.
    func respond(to request: HTTPSession.Request, reply: @escaping @Sendable (Output) -> Void) {
        let started = ContinuousClock.now
        let head = request.head
        let gzip = head.acceptsGzip
        if let authenticator = security.withLock({ $0.authenticator }),
            !authenticator.admits(authorization: head.headers.values(for: "Authorization"))
        {
            logger.debug("\(request.peer): \(head.method) \(head.target): no or wrong basic authentication; answered 401")
            let response = HTTPResponse.error(
                .unauthorized, detail: "basic authentication required", headers: ["WWW-Authenticate": "Basic"])
            let (connection, after) = persistence(after: head)
            reply(output(encode(response, gzip: false), to: head, connection: connection, after: after))
            return
        }
        let answer: @Sendable (EncodedBody) -> Void = { [self] body in
            let (connection, after) = persistence(after: head)
            let output = self.output(body, to: head, connection: connection, after: after)
            let elapsed = ContinuousClock.now - started
            let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            logger.debug("""
                \(request.peer): \(head.method) \(head.target) \(head.version.rawValue) → \(body.response.status.code), \
                \(output.remaining) bytes\(body.gzip ? " (gzip)" : ""), \((milliseconds * 10).rounded() / 10) ms
                """)
            reply(output)
        }
        guard let key = router.sharingKey(for: head) else {
            answer(encode(router.response(for: head), gzip: gzip))
            return
        }
        renders.request(gzip ? key + " gzip" : key, render: { encode(router.response(for: head), gzip: gzip) }, reply: answer)
    }

    /// The `Connection` field of the response to `head`, and what follows it: the connection stays
    /// open unless the client or a stopping server ends it.
    private func persistence(after head: HTTPRequest) -> (connection: String?, after: Output.After) {
        guard head.keepAlive && !isStopping else { return ("close", .closeAfterLinger) }
        return (head.version == .http1_0 ? "keep-alive" : nil, .readNext)
    }

    /// Past `maxRequestsInService`: 503 with `Retry-After: 1`, and the connection closes.
    func busy(_ request: HTTPSession.Request) -> Output {
        logger.debug("\(request.peer): \(limits.maxRequestsInService) requests in service; answered 503")
        let body = encode(Self.busyResponse, gzip: false)
        return output(body, to: request.head, connection: "close", after: .closeAfterLinger)
    }

    /// A refused head: its status with `Connection: close`, then a graceful close.
    func rejection(_ rejection: HTTPRequestHead.Rejection, peer: String) -> Output {
        logger.debug("\(peer): refused request: \(rejection)")
        var response = HTTPResponse.error(rejection.status, detail: rejection.reason)
        if rejection.status == .methodNotAllowed { response.headers.append(name: "Allow", value: "GET, HEAD") }
        return output(encode(response, gzip: false), to: nil, connection: "close", after: .closeAfterLinger)
    }

    /// At the connection cap with every connection in service: 503 before any request is read
    /// (the answer would be the same).
    func refusal() -> [UInt8] {
        // Plain text on a TLS connection would be garbage to the client: just the close.
        guard !servesTLS else { return [] }
        let response = HTTPResponse.serviceUnavailable
        let head = ResponseHeadEncoder.encode(
            response, contentLength: response.body.count, gzip: false, varyOnEncoding: false, connection: "close")
        return head + response.body
    }

    /// Never called: HTTP hands no connection over.
    func takeOver(_ fd: Int32, for handOff: Never, wake: WakeEvent, readOpen: Bool) -> Output? {}

    func record(_ event: ConnectionEvent) {
        record { statistics in
            switch event {
            case .accepted:
                statistics.connectionsAccepted += 1
                statistics.connectionsOpen += 1
            case .closed: statistics.connectionsOpen -= 1
            case .refused: statistics.connectionsRefused += 1
            case .evicted: statistics.connectionsEvicted += 1
            case .requestRefused: statistics.requestsRefused += 1
            case .writeTimedOut: statistics.writeTimeouts += 1
            case .shed: statistics.responsesShed += 1
            case .clientGone: statistics.clientDisconnects += 1
            case .sent(let bytes): statistics.bytesSent += UInt64(bytes)
            case .acceptFailed: statistics.acceptErrors += 1
            case .handshakeFailed: statistics.tlsHandshakeFailures += 1
            }
        }
    }

    /// A response's body as sent: gzip-coded when the request accepts it and the body is large
    /// enough. What requests sharing a render share.
    private struct EncodedBody: Sendable {
        /// Status and header fields (its body is `body`'s source, not kept).
        let response: HTTPResponse
        let body: [UInt8]
        let gzip: Bool
        /// Another `Accept-Encoding` could have had another coding (`Vary: Accept-Encoding`).
        let compressible: Bool

        init(_ response: HTTPResponse, body: [UInt8], gzip: Bool, compressible: Bool) {
            var fields = response
            fields.body = []
            self.response = fields
            self.body = body
            self.gzip = gzip
            self.compressible = compressible
        }
    }

    private func encode(_ response: HTTPResponse, gzip acceptsGzip: Bool) -> EncodedBody {
        let compressible = response.body.count >= limits.gzipMinimumBytes && !response.headers.contains("Content-Encoding")
        if compressible, acceptsGzip, let compressed = GzipEncoder.compress(response.body, level: limits.gzipLevel) {
            return EncodedBody(response, body: compressed, gzip: true, compressible: true)
        }
        return EncodedBody(response, body: response.body, gzip: false, compressible: compressible)
    }

    /// Counts the response by status and puts its head before it; a HEAD response announces the
    /// body's length and sends none.
    private func output(_ encoded: EncodedBody, to request: HTTPRequest?, connection: String?, after: Output.After) -> Output {
        record { $0.requestsByStatus[encoded.response.status.code, default: 0] += 1 }
        var response = encoded.response
        for (name, value) in security.withLock({ $0.headers }) { response.headers.append(name: name, value: value) }
        let head = ResponseHeadEncoder.encode(
            response, contentLength: encoded.body.count, gzip: encoded.gzip,
            varyOnEncoding: encoded.compressible, connection: connection
        )
        return Output(head: head, body: request?.isHead == true ? [] : encoded.body, after: after)
    }
}
