import CFileOpend
import FileOpenCore
import FileOpenSystem
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The threads of a socket server (`HTTPServer`, `QueryServer`): one accept thread that polls the
/// listeners and a wake fd, and one `DedicatedThread` per admitted connection. The server decides
/// what a connection gets (`Admit`); this type runs the threads, joins them, and stops them.
///
/// Every blocking call of the server's threads is a poll() that includes `wake`, so `stop()`
/// interrupts all of them at once. The accept thread joins the finished connection threads
/// (their bodies have returned, so that is immediate); `stop()` joins the rest.
final class ConnectionAcceptor: Sendable {
    /// What to do with an accepted, non-blocking, close-on-exec connection: a body to run on a
    /// thread of its own (it owns the socket and closes it), or nil when the connection was
    /// settled at once (refused at the cap) and closed.
    typealias Admit = @Sendable (_ socket: ConnectionSocket, _ peer: sockaddr_storage) -> (@Sendable () -> Void)?

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

    /// What the log lines call the listener, e.g. "HTTP listener".
    private let label: String
    private let acceptThreadName: String
    private let connectionThreadName: String
    private let logger: Logger
    private let logLimiter: LogRateLimiter
    /// Counts an accept failure that needed a pause (the server's statistics).
    private let countAcceptError: @Sendable () -> Void
    private let stopping = Atomic<Bool>(false)
    private let state = Mutex(State())

    /// Thread names are at most 15 bytes (Linux truncates them).
    init(
        label: String, acceptThreadName: String, connectionThreadName: String, logger: Logger,
        logLimiter: LogRateLimiter, countAcceptError: @escaping @Sendable () -> Void
    ) {
        self.label = label
        self.acceptThreadName = acceptThreadName
        self.connectionThreadName = connectionThreadName
        self.logger = logger
        self.logLimiter = logLimiter
        self.countAcceptError = countAcceptError
    }

    /// Set once by `stop()`, before it signals the wake fd.
    var isStopping: Bool { stopping.load(ordering: .acquiring) }

    /// Creates the wake fd (`eventfd(2)`) and starts the accept thread on `listeners`. Throws if
    /// that fails or if it was started before.
    func start(listeners: [Int32], admit: @escaping Admit) throws(ServerError) {
        try state.withLock { (state: inout State) throws(ServerError) in
            guard state.phase == .idle else { throw .invalidState("start() called twice or after stop() (\(label))") }
            let wake = try WakeEvent.make()
            state.wake = wake
            state.phase = .running
            state.acceptThread = DedicatedThread(name: acceptThreadName) { [self] in
                acceptLoop(listeners: listeners, wake: wake, admit: admit)
            }
        }
    }

    /// Sets the stop flag and signals the wake fd, joins the accept thread, runs
    /// `closingListeners` (new connections are refused from then on), joins every connection
    /// thread, and closes the wake fd. Idempotent; `closingListeners` runs only the first time.
    func stop(closingListeners: () -> Void) {
        let (wake, acceptThread, first) = state.withLock { state -> (WakeEvent?, DedicatedThread?, Bool) in
            guard state.phase != .stopped else { return (nil, nil, false) }
            state.phase = .stopped
            return (state.wake, state.acceptThread, true)
        }
        guard first else { return }
        stopping.store(true, ordering: .releasing)
        wake?.signal()
        acceptThread?.join()
        closingListeners()
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

    private func acceptLoop(listeners: [Int32], wake: WakeEvent, admit: Admit) {
        var fds = listeners.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        fds.append(pollfd(fd: wake.fd, events: Int16(POLLIN), revents: 0))
        while !isStopping {
            reapFinishedConnections()
            for index in fds.indices { fds[index].revents = 0 }
            guard poll(&fds, nfds_t(fds.count), -1) >= 0 else {
                if errno != EINTR { backOff(after: "poll", errno: errno, wake: wake) }
                continue
            }
            if fds[listeners.count].revents != 0 { break }
            for index in listeners.indices where fds[index].revents != 0 {
                acceptPending(on: listeners[index], wake: wake, admit: admit)
            }
        }
    }

    /// Accepts what is queued on one listener, at most a batch at a time, so that one busy listener
    /// cannot starve the others or delay `stop()`.
    private func acceptPending(on listener: Int32, wake: WakeEvent, admit: Admit) {
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
            guard let body = admit(ConnectionSocket(fd: fd, wake: wake), storage) else { continue }
            state.withLock { state in
                let id = state.nextConnectionID
                state.nextConnectionID += 1
                state.connections[id] = DedicatedThread(name: connectionThreadName) { [self] in
                    body()
                    self.state.withLock { $0.finished.append(id) }
                }
            }
        }
    }

    /// Counts and (rate-limited) logs a failure of the accept loop, then pauses 100 ms or until stop.
    private func backOff(after operation: String, errno error: Int32, wake: WakeEvent) {
        countAcceptError()
        if let suppressed = logLimiter.admit(operation) {
            let more = suppressed > 0 ? " (\(suppressed) more since the last warning)" : ""
            let cause = "\(String(cString: strerror(error))) (errno \(error))"
            logger.warning("\(operation) on the \(label) failed: \(cause); pausing 100 ms\(more)")
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
