import FileOpenCore
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The query side of a `QueryServer`'s event loop: what a connection starts with (its peer's
/// credentials), how a request line is answered (on a worker: access, decoding, the responder),
/// the `tail` streams it takes over, and its counters. Shared by the loop, workers and streams.
final class QueryService: ConnectionService {
    /// A `tail` request, taken over by a stream of its own.
    struct TailRequest: Sendable {
        let filter: TailFilter
        /// The peer, for log lines.
        let who: String
    }

    typealias HandOff = TailRequest

    let limits: QueryServerLimits
    let responder: any QueryResponder
    let logger: Logger
    /// The socket file's group: its members may read. Nil: only root gets in.
    let socketGroupID: UInt32?
    /// The group's name (or number) for permission messages.
    let groupName: String
    let logLimiter = LogRateLimiter()
    let statistics: Mutex<QueryServerStatistics>
    let label = "query socket"
    let loopLimits: ConnectionLoopLimits
    private let streams = ThreadGroup(name: "fileopend-tail")
    private let stopping = Atomic<Bool>(false)

    init(
        limits: QueryServerLimits, responder: any QueryResponder, logger: Logger, socketGroupID: UInt32?,
        groupName: String
    ) {
        self.limits = limits
        self.responder = responder
        self.logger = logger
        self.socketGroupID = socketGroupID
        self.groupName = groupName
        statistics = Mutex(QueryServerStatistics(clientLimit: limits.maxConnections))
        loopLimits = ConnectionLoopLimits(
            maxConnections: limits.maxConnections, workers: limits.workers,
            maxRequestsInService: limits.maxRequestsInService, maxBufferedBytes: limits.maxBufferedBytes,
            writeTimeout: limits.writeTimeout, lingerTime: .seconds(2))
    }

    /// Set once by `QueryServer.stop()`, before it signals the wake fd.
    var isStopping: Bool { stopping.load(ordering: .acquiring) }

    func beginStopping() {
        stopping.store(true, ordering: .releasing)
    }

    /// Joins the tail streams (once the loop has signalled its wake fd: they end within
    /// `tailCheckInterval`).
    func joinStreams() {
        streams.joinAll()
    }

    var connectionsTakenOver: Int { streams.running }

    func record(_ update: (inout QueryServerStatistics) -> Void) {
        statistics.withLock { update(&$0) }
    }

    func session(for fd: Int32, peer: sockaddr_storage, at now: ContinuousClock.Instant) -> QuerySession {
        let credentials: PeerCredentials?
        do {
            credentials = try PeerCredentials(socket: fd)
        } catch {
            credentials = nil
            record { $0.credentialFailures += 1 }
            logger.warning("query connection without peer credentials (\(error)); it gets no access")
        }
        return QuerySession(service: self, peer: credentials, at: now)
    }

    func respond(to request: QuerySession.Request, reply: @escaping @Sendable (Output) -> Void) {
        reply(answer(request))
    }

    /// Checks access, decodes and answers one line. Nothing of an outsider's request is looked
    /// at, not even its syntax.
    private func answer(_ request: QuerySession.Request) -> Output {
        let uid = request.peer?.uid
        if let denial = request.access.denial(of: nil, uid: uid, groupName: groupName) {
            return reply(error: denial, who: request.who)
        }
        let query: QueryRequest
        do {
            query = try QueryRequest.decode(line: request.line)
        } catch {
            return reply(error: error, who: request.who)
        }
        record { $0.requestsByCommand[query.command, default: 0] += 1 }
        if let denial = request.access.denial(of: query, uid: uid, groupName: groupName) {
            return reply(error: denial, who: request.who)
        }
        if case .tail(let filter) = query {
            // The responder says whether tail can be served now (not at the counts level).
            if case .failure(let error) = responder.respond(to: query) { return reply(error: error, who: request.who) }
            return Output(head: [], after: .handOff(TailRequest(filter: filter, who: request.who)))
        }
        switch responder.respond(to: query) {
        case .success(let result):
            return Output(head: QueryReply.success(result), after: .readNext)
        case .failure(let error):
            return reply(error: error, who: request.who)
        }
    }

    /// Past `maxRequestsInService`: `busy`, and the connection stays usable.
    func busy(_ request: QuerySession.Request) -> Output {
        let error = QueryError(
            .busy, "The daemon is answering \(limits.maxRequestsInService) requests already; try again shortly.")
        return reply(error: error, who: request.who)
    }

    /// An error reply (counted by code); the connection stays usable.
    func reply(error: QueryError, who: String) -> Output {
        record { $0.errorsByCode[error.code, default: 0] += 1 }
        logger.debug("\(who): \(error)")
        return Output(head: error.replyLine, after: .readNext)
    }

    /// At the connection cap with every connection in service or streaming: one `busy` line
    /// before any request is read (the answer would be the same).
    func refusal() -> [UInt8] {
        record { $0.errorsByCode[.busy, default: 0] += 1 }
        return QueryError(
            .busy, "The daemon is serving \(limits.maxConnections) clients already; try again shortly.").replyLine
    }

    /// Starts the stream on a thread of its own (`fileopend-tail`), or answers `busy` at `maxTailStreams`.
    func takeOver(_ fd: Int32, for request: TailRequest, wake: WakeEvent, readOpen: Bool) -> Output? {
        guard streams.running < limits.maxTailStreams else {
            record { $0.requestsRefused += 1 }
            let error = QueryError(
                .busy, "The daemon is streaming to \(limits.maxTailStreams) tail clients already; try again shortly.")
            return reply(error: error, who: request.who)
        }
        let stream = TailStream(socket: ConnectionSocket(fd: fd, wake: wake), service: self, who: request.who)
        streams.start { [self] in
            stream.run(request.filter, readOpen: readOpen)
            close(fd)
            record(.closed)
        }
        return nil
    }

    func record(_ event: ConnectionEvent) {
        record { statistics in
            switch event {
            case .accepted:
                statistics.accepted += 1
                statistics.connected += 1
            case .closed: statistics.connected -= 1
            case .refused: statistics.refused += 1
            case .evicted: statistics.evicted += 1
            case .requestRefused: statistics.requestsRefused += 1
            case .writeTimedOut: statistics.writeTimeouts += 1
            case .shed: statistics.repliesShed += 1
            case .clientGone: statistics.clientDisconnects += 1
            case .sent(let bytes): statistics.bytesSent += UInt64(bytes)
            case .acceptFailed: statistics.acceptErrors += 1
            case .handshakeFailed: break  // The query socket speaks no TLS.
            }
        }
    }
}
