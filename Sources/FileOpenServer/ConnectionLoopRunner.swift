import CFileOpend
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The event loop of a `ConnectionLoop`, on its thread: every connection of one server is an
/// `EPOLLONESHOT` registration, re-armed for what its phase waits for (input while reading or
/// lingering, room while writing, nothing while a worker has it), so no event can arrive for a
/// connection the loop is not ready to handle.
///
/// - TLS (a service that `servesTLS`): a connection starts handshaking, driven by its events like
///   a head (non-blocking, under the head timeout from the accept, so a client that stalls its
///   handshake costs a descriptor, never a thread); then every byte goes through its session, and
///   only this thread touches it: workers leave a TLS response's writing to the loop.
/// - Reading: each readable event is one `recv(2)` into a shared 16 KiB buffer, handed to the
///   session; a complete request goes to the worker pool (or is answered busy past
///   `maxRequestsInService`).
/// - Writing: a worker writes what the socket takes at once and reports back; the loop writes the
///   rest as the client reads, within the write timeout, and within `maxBufferedBytes` for all
///   connections together (past it the responses waiting longest are abandoned).
/// - Deadlines: checked in a sweep over all connections when the nearest one is due, at most
///   every 50 ms, so a deadline costs nothing per event.
/// - The fd cap: a connection accepted at `maxConnections` displaces the longest-waiting one
///   without a request in service (lingering, then mid-request, then writing, then idle between
///   requests), so a flood of slow clients can never lock out a scrape.
final class ConnectionLoopRunner<Service: ConnectionService> {
    typealias Connection = LoopConnection<Service.Session>
    typealias Output = ConnectionOutput<Service.HandOff>

    private static var wakeToken: UInt64 { 0 }
    private static var notifyToken: UInt64 { 1 }
    /// Listener `i` is registered as `firstListenerToken + i`; connections get ids above them all.
    private static var firstListenerToken: UInt64 { 2 }
    /// Deadlines are checked at most this often.
    private static var sweepInterval: Duration { .milliseconds(50) }
    /// How long a listener rests after `accept(2)` failed for want of descriptors or memory.
    private static var acceptPause: Duration { .milliseconds(100) }
    /// Bytes a lingering connection may still send before it is closed regardless.
    private static var maxLingerBytes: Int { 1 << 20 }

    private let loop: ConnectionLoop<Service>
    private let service: Service
    private let limits: ConnectionLoopLimits
    private let listeners: [Int32]
    private let poll: EventPoll
    private let wake: WakeEvent
    private let notify: WakeEvent
    private let pool: WorkerPool

    private var connections: [UInt64: Connection] = [:]
    private var nextID: UInt64
    /// Output bytes held for slow clients, all connections together.
    private var buffered = 0
    /// The most connections held since the heap was last trimmed.
    private var peak = 0
    private var nextSweep = ContinuousClock.Instant.now + .seconds(86400)
    private var lastSweep = ContinuousClock.Instant.now
    /// Listeners taken out of the epoll set after an accept failure, back at `pausedUntil`.
    private var paused: [Int] = []
    private var pausedUntil = ContinuousClock.Instant.now
    private var now = ContinuousClock.Instant.now
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 16384, alignment: 16)

    init(
        loop: ConnectionLoop<Service>, listeners: [Int32], poll: EventPoll, wake: WakeEvent, notify: WakeEvent,
        pool: WorkerPool
    ) {
        self.loop = loop
        service = loop.service
        limits = loop.service.loopLimits
        self.listeners = listeners
        self.poll = poll
        self.wake = wake
        self.notify = notify
        self.pool = pool
        nextID = Self.firstListenerToken + UInt64(listeners.count)
    }

    deinit {
        scratch.deallocate()
    }

    private var logger: Logger { service.logger }

    /// Serves until the wake fd fires, then stops the workers and closes every connection.
    func run() {
        poll.add(wake.fd, events: EPOLLIN.rawValue, token: Self.wakeToken)
        poll.add(notify.fd, events: EPOLLIN.rawValue, token: Self.notifyToken)
        for (index, listener) in listeners.enumerated() {
            poll.add(listener, events: EPOLLIN.rawValue, token: Self.firstListenerToken + UInt64(index))
        }
        let events = UnsafeMutableBufferPointer<epoll_event>.allocate(capacity: 256)
        defer { events.deallocate() }
        serving: while true {
            let count = poll.wait(into: events, timeout: timeoutMilliseconds())
            now = .now
            for event in events[..<count] {
                let token = event.data.u64
                switch token {
                case Self.wakeToken:
                    break serving
                case Self.notifyToken:
                    var counter: UInt64 = 0
                    _ = Glibc.read(notify.fd, &counter, MemoryLayout<UInt64>.size)
                    takeCompletions()
                case Self.firstListenerToken..<Self.firstListenerToken + UInt64(listeners.count):
                    acceptPending(on: Int(token - Self.firstListenerToken))
                default:
                    guard let connection = connections[token] else { continue }
                    handle(connection)
                }
            }
            if now >= nextSweep, now >= lastSweep + Self.sweepInterval { sweep() }
        }
        tearDown()
    }

    /// Until the next sweep is due (never sooner than the sweep interval after the last one).
    private func timeoutMilliseconds() -> Int32 {
        let due = max(nextSweep, lastSweep + Self.sweepInterval)
        let remaining = due - .now
        guard remaining > .zero else { return 0 }
        let (seconds, attoseconds) = remaining.components
        // Rounded up, so the deadline has passed when epoll_wait times out.
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(min(milliseconds, Int64(Int32.max)))
    }

    private func schedule(_ deadline: ContinuousClock.Instant) {
        nextSweep = min(nextSweep, deadline)
    }

    // MARK: - Accepting

    /// Accepts what is queued on one listener, at most a batch at a time, so that one busy listener
    /// cannot starve the others or the connections.
    private func acceptPending(on index: Int) {
        let listener = listeners[index]
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
                    // EMFILE, ENFILE, ENOBUFS, ENOMEM: the listener stays readable, so it rests
                    // until descriptors or memory may be back rather than spin.
                    pause(listener: index, errno: error)
                    return
                }
            }
            guard makeRoom() else {
                refuse(fd)
                continue
            }
            let id = nextID
            nextID += 1
            let connection = Connection(
                id: id, fd: fd, session: service.session(for: fd, peer: storage, at: now), at: now)
            connections[id] = connection
            peak = max(peak, connections.count)
            service.record(.accepted)
            if service.servesTLS {
                guard let tls = service.tlsSession(for: fd) else {
                    close(connection)
                    continue
                }
                connection.tls = tls
                connection.phase = .handshaking
            }
            guard poll.add(fd, events: EPOLLIN.rawValue | EPOLLONESHOT.rawValue, token: id) else {
                close(connection)
                continue
            }
            schedule(connection.deadline)
        }
    }

    /// Whether there is room for one more connection, closing the longest-waiting one without a
    /// request in service if the cap is reached.
    private func makeRoom() -> Bool {
        guard connections.count + service.connectionsTakenOver >= limits.maxConnections else { return true }
        // Lingering ones are answered already; a head or line under way is what a slowloris holds;
        // a slow reader holds memory too; a kept-alive connection between requests is likeliest a
        // real client's (Prometheus reuses its connection).
        func rank(_ connection: Connection) -> Int {
            switch connection.phase {
            case .lingering: 0
            case .handshaking: 1
            case .reading: connection.session.isIdle ? 3 : 1
            case .writing: 2
            case .inService: 4
            }
        }
        var victim: Connection?
        for connection in connections.values where connection.phase != .inService {
            guard let best = victim else {
                victim = connection
                continue
            }
            let (a, b) = (rank(connection), rank(best))
            if a < b || (a == b && connection.since < best.since) { victim = connection }
        }
        guard let victim else { return false }
        service.record(.evicted)
        notice("cap", "connection limit of \(limits.maxConnections) reached: closed the longest-waiting connection")
        close(victim)
        return true
    }

    /// At the cap with every connection in service: the service's refusal, written without
    /// waiting (the loop must not block on a client), then close.
    private func refuse(_ fd: Int32) {
        // Counted first, so that a client that has read the refusal finds it counted.
        service.record(.refused)
        let socket = ConnectionSocket(fd: fd, wake: wake)
        let sent = socket.sendWithoutWaiting(service.refusal())
        service.record(.sent(sent))
        _ = shutdown(fd, Int32(SHUT_WR))
        socket.discardQueued()
        Glibc.close(fd)
        notice("refused", "connection limit of \(limits.maxConnections) reached with every connection in service: refused one")
    }

    private func pause(listener index: Int, errno error: Int32) {
        service.record(.acceptFailed)
        let cause = "\(String(cString: strerror(error))) (errno \(error))"
        if let suppressed = service.logLimiter.admit("accept") {
            let more = suppressed > 0 ? " (\(suppressed) more since the last warning)" : ""
            logger.warning("accept on the \(service.label) failed: \(cause); pausing 100 ms\(more)")
        }
        poll.remove(listeners[index])
        paused.append(index)
        pausedUntil = now + Self.acceptPause
        schedule(pausedUntil)
    }

    /// A notice at most every 10 s per kind (a client can cause these at will).
    private func notice(_ kind: String, _ message: String) {
        guard let suppressed = service.logLimiter.admit(kind) else { return }
        let more = suppressed > 0 ? " (\(suppressed) more since the last notice)" : ""
        logger.notice("\(service.label): \(message)\(more)")
    }

    // MARK: - Events

    private func handle(_ connection: Connection) {
        switch connection.phase {
        case .handshaking: handshake(connection)
        case .reading: read(connection)
        case .writing: flush(connection)
        case .lingering: discard(connection)
        case .inService: break  // Not armed; an event cannot come.
        }
    }

    /// Drives a TLS handshake one step; once done, reads what may already have come.
    private func handshake(_ connection: Connection) {
        guard let tls = connection.tls else { return }
        switch tls.handshake() {
        case .done:
            connection.phase = .reading
            read(connection)
        case .wantRead:
            arm(connection, EPOLLIN.rawValue)
        case .wantWrite:
            arm(connection, EPOLLOUT.rawValue)
        case .closed:
            handshakeFailed(connection, reason: "the client closed the connection", plainHTTP: false)
        case .failed(let reason, let plainHTTP):
            handshakeFailed(connection, reason: reason, plainHTTP: plainHTTP)
        }
    }

    /// Counted and logged at debug (a client can cause these at will); a plain-HTTP client is
    /// told in plain HTTP what it did wrong, as Go's server does, then the connection closes.
    private func handshakeFailed(_ connection: Connection, reason: String, plainHTTP: Bool) {
        service.record(.handshakeFailed)
        logger.debug("\(service.label): TLS handshake failed: \(reason)")
        if plainHTTP {
            let answer = "HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
                + "Client sent an HTTP request to an HTTPS server.\n"
            let socket = ConnectionSocket(fd: connection.fd, wake: wake)
            service.record(.sent(socket.sendWithoutWaiting(Array(answer.utf8))))
            _ = shutdown(connection.fd, Int32(SHUT_WR))
            socket.discardQueued()
        }
        close(connection)
    }

    private func read(_ connection: Connection) {
        if let tls = connection.tls {
            readTLS(connection, tls)
            return
        }
        let count = recv(connection.fd, scratch.baseAddress, scratch.count, 0)
        if count > 0 {
            connection.session.received(UnsafeRawBufferPointer(rebasing: scratch[..<count]), at: now)
        } else if count == 0 {
            connection.endOfStream = true
        } else if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
            arm(connection, EPOLLIN.rawValue)
            return
        } else {
            close(connection)  // Reset by the client: it left.
            return
        }
        advance(connection)
    }

    /// `read(_:)` through TLS: every record OpenSSL has decrypted is taken, since the socket will
    /// not signal what OpenSSL already holds.
    private func readTLS(_ connection: Connection, _ tls: TLSSession) {
        repeat {
            switch tls.read(into: scratch) {
            case .done(let count):
                connection.session.received(UnsafeRawBufferPointer(rebasing: scratch[..<count]), at: now)
            case .closed:
                connection.endOfStream = true
            case .wantRead:
                break  // Nothing more yet: `advance` waits for input if it needs more.
            case .wantWrite:
                arm(connection, EPOLLIN.rawValue | EPOLLOUT.rawValue)
                return
            case .failed(let reason, _):
                logger.debug("\(service.label): TLS read failed: \(reason)")
                close(connection)
                return
            }
        } while tls.pending > 0 && !connection.endOfStream
        advance(connection)
    }

    /// Acts on what the session has buffered.
    private func advance(_ connection: Connection) {
        switch connection.session.next(endOfStream: connection.endOfStream, at: now) {
        case .needMore:
            // A half-closed client has had every answer; the write side stayed open until now.
            if connection.endOfStream {
                close(connection)
                return
            }
            connection.deadline = connection.session.readDeadline
            schedule(connection.deadline)
            arm(connection, EPOLLIN.rawValue)
        case .reply(let output):
            write(output, to: connection, started: now)
        case .dispatch(let request):
            dispatch(request, from: connection)
        }
    }

    private func dispatch(_ request: Service.Session.Request, from connection: Connection) {
        guard loop.inService.load(ordering: .relaxed) < limits.maxRequestsInService else {
            service.record(.requestRefused)
            notice("busy", "\(limits.maxRequestsInService) requests in service: answered one busy")
            write(service.busy(request), to: connection, started: now)
            return
        }
        loop.inService.add(1, ordering: .relaxed)
        connection.phase = .inService
        connection.since = now
        let (id, fd, loop, notify) = (connection.id, connection.fd, loop, notify)
        let encrypted = connection.tls != nil
        pool.submit {
            loop.service.respond(to: request) { output in
                loop.inService.subtract(1, ordering: .relaxed)
                var output = output
                let started = ContinuousClock.now
                // A TLS session is the loop's alone: the loop writes that response (takeCompletions).
                let result = encrypted ? .wouldBlock : output.send(to: fd) { loop.service.record(.sent($0)) }
                loop.completions.withLock {
                    $0.append(.init(id: id, output: output, result: result, started: started))
                }
                notify.signal()
            }
        }
    }

    private func takeCompletions() {
        let done = loop.completions.withLock { completions in
            defer { completions.removeAll(keepingCapacity: true) }
            return completions
        }
        for completion in done {
            guard let connection = connections[completion.id] else { continue }
            if connection.tls != nil {
                write(completion.output, to: connection, started: completion.started)
                continue
            }
            connection.output = completion.output
            sent(completion.result, on: connection, started: completion.started)
        }
    }

    /// Writes an output the loop made itself as far as the socket takes it.
    private func write(_ output: Output, to connection: Connection, started: ContinuousClock.Instant) {
        connection.output = output
        sent(send(connection), on: connection, started: started)
    }

    /// Writes as much of the connection's output as the socket takes, through TLS if it has it.
    private func send(_ connection: Connection) -> ConnectionOutput<Service.HandOff>.SendResult {
        if let tls = connection.tls { return connection.output!.send(through: tls) { service.record(.sent($0)) } }
        return connection.output!.send(to: connection.fd) { service.record(.sent($0)) }
    }

    /// After a write attempt: the next phase, or the rest of the output for the loop to write.
    private func sent(
        _ result: ConnectionOutput<Service.HandOff>.SendResult, on connection: Connection, started: ContinuousClock.Instant
    ) {
        switch result {
        case .done:
            written(connection)
        case .failed(let error):
            clientGone(connection, errno: error)
        case .wouldBlock:
            connection.phase = .writing
            connection.since = started
            connection.deadline = started + limits.writeTimeout
            schedule(connection.deadline)
            updateBuffered(connection)
            shed(sparing: connection)
            arm(connection, EPOLLOUT.rawValue)
        }
    }

    /// `EPOLLOUT`: the client has read some; write more.
    private func flush(_ connection: Connection) {
        guard connection.output != nil else { return }
        switch send(connection) {
        case .done: written(connection)
        case .failed(let error): clientGone(connection, errno: error)
        case .wouldBlock:
            updateBuffered(connection)
            arm(connection, EPOLLOUT.rawValue)
        }
    }

    /// The whole output is written: on to what comes after it.
    private func written(_ connection: Connection) {
        let after = connection.output?.after ?? .close
        connection.output = nil
        updateBuffered(connection)
        switch after {
        case .readNext:
            connection.phase = .reading
            connection.since = now
            connection.session.answered(at: now)
            advance(connection)
        case .close:
            close(connection)
        case .closeAfterLinger:
            connection.tls?.shutdown()
            guard shutdown(connection.fd, Int32(SHUT_WR)) == 0 else {
                close(connection)
                return
            }
            connection.phase = .lingering
            connection.since = now
            connection.deadline = now + limits.lingerTime
            schedule(connection.deadline)
            arm(connection, EPOLLIN.rawValue)
        case .handOff(let handOff):
            // Out of the epoll set before the service's thread may close the descriptor.
            poll.remove(connection.fd)
            if let reply = service.takeOver(connection.fd, for: handOff, wake: wake, readOpen: !connection.endOfStream) {
                guard poll.add(connection.fd, events: EPOLLONESHOT.rawValue, token: connection.id) else {
                    close(connection)
                    return
                }
                write(reply, to: connection, started: now)
                return
            }
            // The service owns the descriptor now; it counts as taken over, no longer as held here.
            connections[connection.id] = nil
        }
    }

    /// Lingering: reads and discards until the client closes, the linger time or 1 MiB.
    private func discard(_ connection: Connection) {
        let count = recv(connection.fd, scratch.baseAddress, scratch.count, 0)
        if count > 0 {
            connection.discarded += count
            if connection.discarded < Self.maxLingerBytes {
                arm(connection, EPOLLIN.rawValue)
                return
            }
        } else if count < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
            arm(connection, EPOLLIN.rawValue)
            return
        }
        close(connection)
    }

    private func clientGone(_ connection: Connection, errno error: Int32) {
        service.record(.clientGone)
        logger.debug("\(service.label): client went away during a response: \(String(cString: strerror(error))) (errno \(error))")
        close(connection)
    }

    // MARK: - Budgets and deadlines

    private func updateBuffered(_ connection: Connection) {
        let remaining = connection.output?.remaining ?? 0
        buffered += remaining - connection.buffered
        connection.buffered = remaining
    }

    /// While the output held for slow clients is over the budget, abandons the response that has
    /// waited longest, never the one just made (a single response larger than the budget is still
    /// sent).
    private func shed(sparing newest: Connection) {
        while buffered > limits.maxBufferedBytes {
            var oldest: Connection?
            for connection in connections.values where connection.phase == .writing && connection !== newest {
                if oldest.map({ connection.since < $0.since }) ?? true { oldest = connection }
            }
            guard let oldest else { return }
            service.record(.shed)
            notice("shed", "over \(limits.maxBufferedBytes) bytes of responses waiting for slow clients: abandoned the oldest")
            close(oldest)
        }
    }

    private func sweep() {
        lastSweep = now
        nextSweep = now + .seconds(86400)
        var expired: [Connection] = []
        for connection in connections.values where connection.phase != .inService {
            if connection.deadline <= now {
                expired.append(connection)
            } else {
                schedule(connection.deadline)
            }
        }
        if !paused.isEmpty {
            if pausedUntil <= now {
                for index in paused {
                    poll.add(listeners[index], events: EPOLLIN.rawValue, token: Self.firstListenerToken + UInt64(index))
                }
                paused = []
            } else {
                schedule(pausedUntil)
            }
        }
        for connection in expired { expire(connection) }
    }

    private func expire(_ connection: Connection) {
        switch connection.phase {
        case .handshaking:
            // Counted and logged as a head that did not come; nothing can be written in plain text.
            _ = connection.session.readTimedOut()
            close(connection)
        case .reading:
            guard let output = connection.session.readTimedOut() else {
                close(connection)
                return
            }
            write(output, to: connection, started: now)
        case .writing:
            service.record(.writeTimedOut)
            logger.debug("\(service.label): response not read within \(limits.writeTimeout); closing")
            close(connection)
        case .lingering:
            close(connection)
        case .inService:
            break
        }
    }

    // MARK: - Registrations

    private func arm(_ connection: Connection, _ events: UInt32) {
        guard poll.modify(connection.fd, events: events | EPOLLONESHOT.rawValue, token: connection.id) else {
            close(connection)
            return
        }
    }

    /// Closes a connection the loop holds (never one in service: a worker may be writing to it).
    private func close(_ connection: Connection) {
        connections[connection.id] = nil
        buffered -= connection.buffered
        connection.buffered = 0
        Glibc.close(connection.fd)
        service.record(.closed)
        trimAfterSurge()
    }

    /// Once a surge of connections has ended (from 256 or more down to an eighth of the peak),
    /// hands the heap pages their buffers freed back to the kernel (`malloc_trim(3)`, all
    /// arenas): glibc would keep them, so the daemon's memory would stay at the surge's size.
    private func trimAfterSurge() {
        guard peak >= 256, connections.count * 8 <= peak else { return }
        peak = connections.count
        // A dictionary keeps its capacity through removals: rebuilt at the size it has now.
        connections = connections.reduce(into: Dictionary(minimumCapacity: connections.count)) { $0[$1.key] = $1.value }
        _ = cfo_malloc_trim()
    }

    /// The workers finish what they are answering (queued requests are dropped), then every
    /// connection is closed.
    private func tearDown() {
        pool.stop()
        for connection in connections.values {
            Glibc.close(connection.fd)
            service.record(.closed)
        }
        connections = [:]
        loop.completions.withLock { $0 = [] }
    }
}
