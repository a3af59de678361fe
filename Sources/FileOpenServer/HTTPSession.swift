/// One HTTP connection's input on the event loop: the bytes of the head under way (and of any
/// pipelined after it), and its clock. A head must arrive whole within `headTimeout` of its first
/// byte (of the accept, on a new connection); between requests the idle timeout applies.
/// Pipelined requests are answered in order: the next head is only parsed once the previous
/// response has been written, and nothing is read while a request is in service.
struct HTTPSession: ConnectionSession {
    typealias HandOff = Never

    /// A complete head, for a worker.
    struct Request: Sendable {
        let head: HTTPRequest
        /// The client's address, for log lines.
        let peer: String
    }

    private let service: HTTPService
    private let peer: String
    /// Received and not yet answered: a partial head, or whole pipelined heads. It stays below
    /// maxHeadBytes plus one read, because reading stops at the first complete head or at 431.
    private var buffer: [UInt8] = []
    /// While a head is under way; nil between requests.
    private var headDeadline: ContinuousClock.Instant?
    private var idleDeadline: ContinuousClock.Instant

    init(service: HTTPService, peer: String, at now: ContinuousClock.Instant) {
        self.service = service
        self.peer = peer
        headDeadline = now + service.limits.headTimeout
        idleDeadline = now + service.limits.idleTimeout
    }

    mutating func received(_ bytes: UnsafeRawBufferPointer, at now: ContinuousClock.Instant) {
        if headDeadline == nil { headDeadline = now + service.limits.headTimeout }
        buffer.append(contentsOf: bytes)
    }

    mutating func next(endOfStream: Bool, at now: ContinuousClock.Instant) -> SessionStep<Request, Never> {
        let maxHeadBytes = service.limits.maxHeadBytes
        switch buffer.withUnsafeBytes({ HTTPRequestHead.parse($0, maxHeadBytes: maxHeadBytes) }) {
        case .complete(let request, let consumed):
            buffer.removeFirst(consumed)
            return .dispatch(Request(head: request, peer: peer))
        case .invalid(let rejection):
            return .reply(service.rejection(rejection, peer: peer))
        case .needMore:
            return .needMore
        }
    }

    mutating func answered(at now: ContinuousClock.Instant) {
        // Bytes already here are the next pipelined head: its clock starts now.
        headDeadline = buffer.isEmpty ? nil : now + service.limits.headTimeout
        idleDeadline = now + service.limits.idleTimeout
    }

    var readDeadline: ContinuousClock.Instant { headDeadline ?? idleDeadline }

    var isIdle: Bool { headDeadline == nil }

    mutating func readTimedOut() -> ConnectionOutput<Never>? {
        guard headDeadline != nil else {
            service.record { $0.idleTimeouts += 1 }
            service.logger.debug("\(peer): idle for \(service.limits.idleTimeout); closing")
            return nil
        }
        service.record { $0.headTimeouts += 1 }
        service.logger.debug("\(peer): request head not complete within \(service.limits.headTimeout); closing")
        // A client that started a request gets told; one that sent nothing just loses the connection.
        guard !buffer.isEmpty else { return nil }
        return service.rejection(.init(.requestTimeout, "the request head did not arrive in time"), peer: peer)
    }
}
