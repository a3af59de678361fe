import FileOpenCore

/// One query connection's input on the event loop: its line framer, its peer, and its clock. A
/// connection that completes no request line for `idleTimeout` is closed: only a complete line
/// moves the clock, so a client trickling a line cannot hold the connection.
struct QuerySession: ConnectionSession {
    typealias HandOff = QueryService.TailRequest

    /// A complete line, for a worker, with what decides what it may do.
    struct Request: Sendable {
        let line: [UInt8]
        /// Nil if SO_PEERCRED could not be read: then the peer gets no access.
        let peer: PeerCredentials?
        let access: QueryAccess
        /// The peer, for log lines.
        let who: String
    }

    private let service: QueryService
    private let peer: PeerCredentials?
    private let access: QueryAccess
    private var framer: QueryLineFramer
    private var idleDeadline: ContinuousClock.Instant

    init(service: QueryService, peer: PeerCredentials?, at now: ContinuousClock.Instant) {
        self.service = service
        self.peer = peer
        access = peer.map { QueryAccess(peer: $0, socketGroup: service.socketGroupID) } ?? .none
        framer = QueryLineFramer(maxLineBytes: service.limits.maxLineBytes)
        idleDeadline = now + service.limits.idleTimeout
    }

    private var who: String { peer.map { "query peer \($0)" } ?? "query peer (unknown)" }

    mutating func received(_ bytes: UnsafeRawBufferPointer, at now: ContinuousClock.Instant) {
        framer.append(bytes)
    }

    /// The next line to answer. Lines of nothing but whitespace are skipped without a reply, so a
    /// stray blank line cannot shift the client's replies by one.
    mutating func next(endOfStream: Bool, at now: ContinuousClock.Instant) -> SessionStep<Request, HandOff> {
        while let item = framer.next() ?? (endOfStream ? framer.finish() : nil) {
            idleDeadline = now + service.limits.idleTimeout
            switch item {
            case .tooLong:
                let error = QueryError(
                    .lineTooLong,
                    "The request line is longer than \(service.limits.maxLineBytes) bytes; it was skipped.")
                return .reply(service.reply(error: error, who: who))
            case .line(let line):
                guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
                return .dispatch(Request(line: line, peer: peer, access: access, who: who))
            }
        }
        return .needMore
    }

    mutating func answered(at now: ContinuousClock.Instant) {
        idleDeadline = now + service.limits.idleTimeout
    }

    var readDeadline: ContinuousClock.Instant { idleDeadline }

    var isIdle: Bool { framer.pendingCount == 0 }

    mutating func readTimedOut() -> ConnectionOutput<HandOff>? {
        service.record { $0.idleTimeouts += 1 }
        service.logger.debug("\(who): idle for \(service.limits.idleTimeout); closing")
        return nil
    }
}
