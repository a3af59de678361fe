import CFileOpend
import FileOpenCore
public import Logging
import Synchronization
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
    private enum Phase {
        case idle, running, stopped
    }

    private struct State {
        var phase = Phase.idle
        var wake: WakeEvent?
        var acceptThread: DedicatedThread?
        /// Connection threads by id, including finished ones not yet joined.
        var connections: [UInt64: DedicatedThread] = [:]
        /// Connection threads whose body has returned, for the accept thread to join.
        var finished: [UInt64] = []
        var nextConnectionID: UInt64 = 0
    }

    private let sockets: [ListeningSocket]
    private let context: ServerContext
    private let state = Mutex(State())

    /// A server for `sockets`, which it owns from now on and closes in `stop()`.
    public init(
        sockets: [ListeningSocket], limits: HTTPServerLimits = HTTPServerLimits(), logger: Logger, router: HTTPRouter
    ) {
        self.sockets = sockets
        context = ServerContext(limits: limits, router: router, logger: logger)
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
        try state.withLock { (state: inout State) throws(ServerError) in
            guard state.phase == .idle else { throw .invalidState("HTTPServer.start() called twice or after stop()") }
            let wake = try WakeEvent.make()
            state.wake = wake
            state.phase = .running
            state.acceptThread = DedicatedThread(name: "fileopend-http") { [self] in
                acceptLoop(listeners: listeners, wake: wake)
            }
        }
        context.logger.info("HTTP server listening on \(addresses.map(\.description).joined(separator: ", "))")
    }

    /// Stops within about one handler run: sets the stop flag and signals the wake fd, joins the
    /// accept thread, closes the listeners (new connections are refused from then on), and joins
    /// every connection thread, each of which closes its connection as it leaves. A response being
    /// written is cut off. Idempotent; also closes the listeners of a server never started.
    /// Never call it from a handler: it waits for the handler's own thread.
    public func stop() {
        let (wake, acceptThread) = state.withLock { state -> (WakeEvent?, DedicatedThread?) in
            guard state.phase != .stopped else { return (nil, nil) }
            state.phase = .stopped
            return (state.wake, state.acceptThread)
        }
        context.beginStopping()
        wake?.signal()
        acceptThread?.join()
        for socket in sockets { socket.close() }
        let connections = state.withLock { state in
            defer {
                state.connections = [:]
                state.finished = []
            }
            return Array(state.connections.values)
        }
        for connection in connections { connection.join() }
        wake?.close()
    }

    // MARK: - The accept thread

    private func acceptLoop(listeners: [Int32], wake: WakeEvent) {
        var fds = listeners.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        fds.append(pollfd(fd: wake.fd, events: Int16(POLLIN), revents: 0))
        while !context.isStopping {
            reapFinishedConnections()
            for index in fds.indices { fds[index].revents = 0 }
            guard poll(&fds, nfds_t(fds.count), -1) >= 0 else {
                if errno != EINTR { backOff(after: "poll", errno: errno, wake: wake) }
                continue
            }
            if fds[listeners.count].revents != 0 { break }
            for index in listeners.indices where fds[index].revents != 0 {
                acceptPending(on: listeners[index], wake: wake)
            }
        }
    }

    /// Accepts what is queued on one listener, at most a batch at a time, so that one busy listener
    /// cannot starve the others or delay `stop()`.
    private func acceptPending(on listener: Int32, wake: WakeEvent) {
        for _ in 0..<64 {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    cfo_accept4(listener, $0, &length, Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue))
                }
            }
            guard fd >= 0 else {
                switch errno {
                case EAGAIN, EWOULDBLOCK:
                    return
                case EINTR, ECONNABORTED, EPROTO, ENETDOWN, ENOPROTOOPT, EHOSTDOWN, ENONET, EHOSTUNREACH, EOPNOTSUPP,
                     ENETUNREACH:
                    // The connection died in the queue, or a network error accept(2) passes on: next one.
                    continue
                case let error:
                    // EMFILE, ENFILE, ENOBUFS, ENOMEM: the listener stays readable, so without a pause
                    // this loop would spin until descriptors or memory come back.
                    backOff(after: "accept", errno: error, wake: wake)
                    return
                }
            }
            let peer = ListenAddress(socketAddress: storage)?.description ?? "unknown peer"
            admit(ConnectionSocket(fd: fd, wake: wake), peer: peer)
        }
    }

    /// Starts a connection thread, or answers 503 if `maxConnections` are open.
    private func admit(_ socket: ConnectionSocket, peer: String) {
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
            return
        }
        var noDelay: Int32 = 1
        // A response is one sendmsg(2), but Nagle could hold its tail until the client's delayed ACK.
        _ = setsockopt(socket.fd, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        state.withLock { state in
            let id = state.nextConnectionID
            state.nextConnectionID += 1
            state.connections[id] = DedicatedThread(name: "fileopend-conn") { [self] in
                HTTPConnection(socket: socket, peer: peer, context: context).run()
                close(socket.fd)
                context.record { $0.connectionsOpen -= 1 }
                self.state.withLock { $0.finished.append(id) }
            }
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

    /// Counts and (rate-limited) logs a failure of the accept loop, then pauses 100 ms or until stop.
    private func backOff(after operation: String, errno error: Int32, wake: WakeEvent) {
        context.record { $0.acceptErrors += 1 }
        if let suppressed = context.logLimiter.admit(operation) {
            let more = suppressed > 0 ? " (\(suppressed) more since the last warning)" : ""
            let cause = "\(String(cString: strerror(error))) (errno \(error))"
            context.logger.warning("\(operation) on the HTTP listener failed: \(cause); pausing 100 ms\(more)")
        }
        var fd = pollfd(fd: wake.fd, events: Int16(POLLIN), revents: 0)
        _ = poll(&fd, 1, 100)
    }

    /// Joins the connection threads that have finished (their bodies have returned: this is immediate).
    private func reapFinishedConnections() {
        let done = state.withLock { state in
            defer { state.finished = [] }
            return state.finished.compactMap { state.connections.removeValue(forKey: $0) }
        }
        for thread in done { thread.join() }
    }
}
