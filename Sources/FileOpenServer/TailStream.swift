import FileOpenCore
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// One `tail` connection, on a thread of its own: a long-lived writer. It waits on its
/// `TailSubscription` in slices of `tailCheckInterval`, checking between them whether its client
/// hung up or the server stops, and writes each batch within the write timeout; the publisher
/// never waits for it. Every wait includes the server's wake fd, so `stop()` ends it promptly.
struct TailStream {
    let socket: ConnectionSocket
    let service: QueryService
    /// The peer, for log lines.
    let who: String

    private var limits: QueryServerLimits { service.limits }
    private var logger: Logger { service.logger }

    /// Subscribes, answers `{"streaming":true}`, then writes each batch of matching events
    /// followed, if events were dropped since the last batch, by `{"dropped":N}` (the events
    /// queued before a gap come before it, the ones after it after). Ends when the client hangs
    /// up, a write fails or times out, the server stops, or the hub ends every stream (then with
    /// its error line); the subscription goes with it.
    /// `readOpen` is false if the client has half-closed already: it may still read the stream.
    func run(_ filter: TailFilter, readOpen: Bool) {
        let subscription = service.responder.tailHub.subscribe(filter)
        service.record { $0.tailing += 1 }
        defer {
            subscription.cancel()
            service.record { $0.tailing -= 1 }
        }
        logger.debug("\(who): tail \(filter)")
        guard write(QueryReply.streaming) else { return }
        var readOpen = readOpen
        while !service.isStopping, !clientHungUp(readOpen: &readOpen) {
            let (records, dropped) = subscription.next(timeout: limits.tailCheckInterval)
            if let reason = subscription.endedBy {
                _ = write(reason.replyLine)
                return
            }
            guard !records.isEmpty || dropped > 0 else { continue }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(records.count * 320 + 32)
            for record in records {
                bytes.append(contentsOf: EventLineFormatter.jsonLine(record).utf8)
                bytes.append(0x0A)
            }
            if dropped > 0 { bytes.append(contentsOf: QueryReply.dropped(dropped)) }
            guard write(bytes) else { return }
            service.record {
                $0.tailEventsSent += UInt64(records.count)
                $0.tailDropsReported += dropped
            }
        }
    }

    /// Writes `bytes` within the write timeout; whether the stream goes on.
    private func write(_ bytes: [UInt8]) -> Bool {
        let result = socket.write(head: bytes, body: [], until: .now + limits.writeTimeout) { sent in
            service.record(.sent(sent))
        }
        switch result {
        case .written:
            return true
        case .timedOut:
            service.record(.writeTimedOut)
            logger.debug("\(who): did not read for \(limits.writeTimeout); closing")
        case .stopped:
            break
        case .failed(let error):
            service.record(.clientGone)
            logger.debug("\(who): went away: \(String(cString: strerror(error))) (errno \(error))")
        }
        return false
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
