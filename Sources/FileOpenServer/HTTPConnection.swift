import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Serves one accepted connection on its own thread: read a head, answer it, repeat while the
/// connection is kept alive. Pipelined requests are answered in order, because the next head is
/// only parsed after the previous response has been written.
struct HTTPConnection {
    let socket: ConnectionSocket
    let peer: String
    let context: ServerContext

    /// How long a closing connection waits for the client to close its side (see `lingeringShutdown`).
    private static let lingerTime = Duration.seconds(2)

    private var limits: HTTPServerLimits { context.limits }
    private var logger: Logger { context.logger }

    func run() {
        withUnsafeTemporaryAllocation(byteCount: 16384, alignment: 1) { chunk in serve(chunk) }
    }

    private func serve(_ chunk: UnsafeMutableRawBufferPointer) {
        // Received and not yet answered: a partial head, or whole pipelined heads. It stays below
        // maxHeadBytes + one chunk, because reading stops at the first complete head or at 431.
        var buffer: [UInt8] = []
        // While a head is under way (and on a new connection, from the accept) it must complete by
        // this; between requests the idle deadline applies instead.
        var headDeadline: ContinuousClock.Instant? = .now + limits.headTimeout
        var idleDeadline = ContinuousClock.now + limits.idleTimeout
        while !context.isStopping {
            switch buffer.withUnsafeBytes({ HTTPRequestHead.parse($0, maxHeadBytes: limits.maxHeadBytes) }) {
            case .complete(let request, let consumed):
                buffer.removeFirst(consumed)
                guard respond(to: request) else { return }
                // Bytes already here are the next pipelined head: its clock starts now.
                headDeadline = buffer.isEmpty ? nil : .now + limits.headTimeout
                idleDeadline = .now + limits.idleTimeout
            case .invalid(let rejection):
                reject(rejection)
                return
            case .needMore:
                switch socket.read(into: chunk, until: headDeadline ?? idleDeadline) {
                case .read(let count):
                    if headDeadline == nil { headDeadline = .now + limits.headTimeout }
                    buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[..<count]))
                case .timedOut where headDeadline != nil:
                    context.record { $0.headTimeouts += 1 }
                    logger.debug("\(peer): request head not complete within \(limits.headTimeout); closing")
                    // A client that started a request gets told; one that sent nothing just loses the connection.
                    if !buffer.isEmpty { reject(.init(.requestTimeout, "the request head did not arrive in time")) }
                    return
                case .timedOut:
                    context.record { $0.idleTimeouts += 1 }
                    logger.debug("\(peer): idle for \(limits.idleTimeout); closing")
                    return
                case .endOfStream, .stopped, .failed:
                    // The client left (a half-closed one has had its answers: heads are parsed before reading).
                    return
                }
            }
        }
    }

    /// Answers a parsed request; whether the connection goes on.
    private func respond(to request: HTTPRequest) -> Bool {
        let started = ContinuousClock.now
        let response = context.router.response(for: request)
        let keepAlive = request.keepAlive && !context.isStopping
        let connection = keepAlive ? (request.version == .http1_0 ? "keep-alive" : nil) : "close"
        let outcome = send(response, to: request, connection: connection)
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        logger.debug("""
            \(peer): \(request.method) \(request.target) \(request.version.rawValue) → \(response.status.code), \
            \(outcome.bytes) bytes\(outcome.gzip ? " (gzip)" : ""), \((milliseconds * 10).rounded() / 10) ms
            """)
        guard outcome.written else { return false }
        if !keepAlive { socket.lingeringShutdown(until: .now + min(limits.headTimeout, Self.lingerTime)) }
        return keepAlive
    }

    /// Answers a refused head with its status and `Connection: close`, then closes gracefully.
    private func reject(_ rejection: HTTPRequestHead.Rejection) {
        logger.debug("\(peer): refused request: \(rejection)")
        var response = HTTPResponse.error(rejection.status, detail: rejection.reason)
        if rejection.status == .methodNotAllowed { response.headers.append(name: "Allow", value: "GET, HEAD") }
        if send(response, to: nil, connection: "close").written {
            socket.lingeringShutdown(until: .now + min(limits.headTimeout, Self.lingerTime))
        }
    }

    /// Encodes (gzip when the request accepts it and the body is large enough) and writes one
    /// response, counting it by status and counting how a failed write failed.
    private func send(
        _ response: HTTPResponse, to request: HTTPRequest?, connection: String?
    ) -> (written: Bool, bytes: Int, gzip: Bool) {
        context.recordResponse(status: response.status.code)
        var body = response.body
        let compressible = body.count >= limits.gzipMinimumBytes && !response.headers.contains("Content-Encoding")
        var gzip = false
        if compressible, request?.acceptsGzip == true,
           let compressed = GzipEncoder.compress(body, level: limits.gzipLevel) {
            body = compressed
            gzip = true
        }
        let head = ResponseHeadEncoder.encode(
            response, contentLength: body.count, gzip: gzip, varyOnEncoding: compressible, connection: connection
        )
        let sentBody = request?.isHead == true ? [] : body
        let result = socket.write(head: head, body: sentBody, until: .now + limits.writeTimeout) { sent in
            context.record { $0.bytesSent += UInt64(sent) }
        }
        switch result {
        case .written:
            return (true, head.count + sentBody.count, gzip)
        case .timedOut:
            context.record { $0.writeTimeouts += 1 }
            logger.debug("\(peer): response not read within \(limits.writeTimeout); closing")
        case .stopped:
            break
        case .failed(let error):
            context.record { $0.clientDisconnects += 1 }
            let cause = "\(String(cString: strerror(error))) (errno \(error))"
            logger.debug("\(peer): client went away during the response: \(cause)")
        }
        return (false, 0, gzip)
    }
}
