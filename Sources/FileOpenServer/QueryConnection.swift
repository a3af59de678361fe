import FileOpenCore
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Serves one accepted query connection on its own thread: read a line, answer it, repeat, in
/// order; after a `tail` request the connection carries the event stream until the client
/// closes. Every error is a reply line and leaves the connection usable; the connection closes
/// only when the client leaves, at the idle or write timeout, or when the server stops.
struct QueryConnection {
    let socket: ConnectionSocket
    let context: QueryServerContext
    /// Nil if SO_PEERCRED could not be read: then the peer gets no access.
    let peer: PeerCredentials?
    let access: QueryAccess

    private enum Outcome {
        case next
        case close
        case tail(TailFilter)
    }

    init(socket: ConnectionSocket, context: QueryServerContext) {
        self.socket = socket
        self.context = context
        do {
            let peer = try PeerCredentials(socket: socket.fd)
            self.peer = peer
            access = QueryAccess(peer: peer, socketGroup: context.socketGroupID)
        } catch {
            peer = nil
            access = .none
            context.record { $0.credentialFailures += 1 }
            context.logger.warning("query connection without peer credentials (\(error)); it gets no access")
        }
    }

    private var limits: QueryServerLimits { context.limits }
    private var logger: Logger { context.logger }
    private var who: String { peer.map { "query peer \($0)" } ?? "query peer (unknown)" }

    func run() {
        withUnsafeTemporaryAllocation(byteCount: 16384, alignment: 1) { chunk in serve(chunk) }
    }

    private func serve(_ chunk: UnsafeMutableRawBufferPointer) {
        var framer = QueryLineFramer(maxLineBytes: limits.maxLineBytes)
        // Only a complete line moves it: a client trickling a line cannot hold the connection.
        var idleDeadline = ContinuousClock.now + limits.idleTimeout
        var endOfStream = false
        while !context.isStopping {
            if let item = framer.next() ?? (endOfStream ? framer.finish() : nil) {
                idleDeadline = .now + limits.idleTimeout
                let outcome: Outcome
                switch item {
                case .tooLong:
                    let error = QueryError(
                        .lineTooLong, "The request line is longer than \(limits.maxLineBytes) bytes; it was skipped.")
                    outcome = send(error: error) ? .next : .close
                case .line(let line):
                    outcome = handle(line)
                }
                switch outcome {
                case .next: continue
                case .close: return
                case .tail(let filter):
                    stream(filter, readOpen: !endOfStream)
                    return
                }
            }
            // A half-closed client has had every answer; the write side stays open until now.
            if endOfStream { return }
            switch socket.read(into: chunk, until: idleDeadline) {
            case .read(let count):
                framer.append(UnsafeRawBufferPointer(rebasing: chunk[..<count]))
            case .endOfStream:
                endOfStream = true
            case .timedOut:
                context.record { $0.idleTimeouts += 1 }
                logger.debug("\(who): idle for \(limits.idleTimeout); closing")
                return
            case .stopped, .failed:
                return
            }
        }
    }

    /// Decodes, checks access and answers one line. Lines of nothing but whitespace are skipped
    /// without a reply, so a stray blank line cannot shift the client's replies by one.
    private func handle(_ line: [UInt8]) -> Outcome {
        guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { return .next }
        if let denial = access.denial(of: nil, uid: peer?.uid, groupName: context.groupName) {
            // Nothing of an outsider's request is looked at, not even its syntax.
            return send(error: denial) ? .next : .close
        }
        let request: QueryRequest
        do {
            request = try QueryRequest.decode(line: line)
        } catch {
            return send(error: error) ? .next : .close
        }
        context.record { $0.requestsByCommand[request.command, default: 0] += 1 }
        if let denial = access.denial(of: request, uid: peer?.uid, groupName: context.groupName) {
            return send(error: denial) ? .next : .close
        }
        if case .tail(let filter) = request { return .tail(filter) }
        switch context.responder.respond(to: request) {
        case .success(let result):
            return write(QueryReply.success(result)) ? .next : .close
        case .failure(let error):
            return send(error: error) ? .next : .close
        }
    }

    private func send(error: QueryError) -> Bool {
        context.record { $0.errorsByCode[error.code, default: 0] += 1 }
        logger.debug("\(who): \(error)")
        return write(error.replyLine)
    }

    /// Writes `bytes` within the write timeout; whether the connection goes on.
    private func write(_ bytes: [UInt8]) -> Bool {
        let result = socket.write(head: bytes, body: [], until: .now + limits.writeTimeout) { sent in
            context.record { $0.bytesSent += UInt64(sent) }
        }
        switch result {
        case .written:
            return true
        case .timedOut:
            context.record { $0.writeTimeouts += 1 }
            logger.debug("\(who): did not read for \(limits.writeTimeout); closing")
        case .stopped:
            break
        case .failed(let error):
            logger.debug("\(who): went away: \(String(cString: strerror(error))) (errno \(error))")
        }
        return false
    }

    // MARK: - tail

    /// Subscribes, answers `{"streaming":true}`, then writes each batch of matching events
    /// followed, if events were dropped since the last batch, by `{"dropped":N}` (the events
    /// queued before a gap come before it, the ones after it after). Ends when the client hangs
    /// up, a write fails or times out, or the server stops; the subscription goes with it.
    /// `readOpen` is false if the client has half-closed already: it may still read the stream.
    private func stream(_ filter: TailFilter, readOpen: Bool) {
        let subscription = context.responder.tailHub.subscribe(filter)
        context.record { $0.tailing += 1 }
        defer {
            subscription.cancel()
            context.record { $0.tailing -= 1 }
        }
        logger.debug("\(who): tail \(filter)")
        guard write(QueryReply.streaming) else { return }
        var readOpen = readOpen
        while !context.isStopping, !clientHungUp(readOpen: &readOpen) {
            let (records, dropped) = subscription.next(timeout: limits.tailCheckInterval)
            guard !records.isEmpty || dropped > 0 else { continue }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(records.count * 320 + 32)
            for record in records {
                bytes.append(contentsOf: EventLineFormatter.jsonLine(record).utf8)
                bytes.append(0x0A)
            }
            if dropped > 0 { bytes.append(contentsOf: QueryReply.dropped(dropped)) }
            guard write(bytes) else { return }
            context.record {
                $0.tailEventsSent += UInt64(records.count)
                $0.tailDropsReported += dropped
            }
        }
    }

    /// Whether the client has closed its end (POLLHUP: both directions are shut), checked without
    /// waiting. Bytes it sends while tailing are read and ignored; its end of stream (a half-close,
    /// as `socat` does at the end of its input) is noted in `readOpen`, not taken as a hang-up,
    /// because it may still be reading.
    private func clientHungUp(readOpen: inout Bool) -> Bool {
        var entry = pollfd(fd: socket.fd, events: readOpen ? Int16(POLLIN) : 0, revents: 0)
        guard poll(&entry, 1, 0) > 0 else { return false }
        if entry.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return true }
        guard entry.revents & Int16(POLLIN) != 0 else { return false }
        var scratch = [UInt8](repeating: 0, count: 4096)
        let count = scratch.withUnsafeMutableBytes { recv(socket.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if count == 0 { readOpen = false }
        return count < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR
    }
}
