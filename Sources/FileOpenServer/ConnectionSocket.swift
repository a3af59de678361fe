#if canImport(Glibc)
import Glibc
#endif

/// Deadline-bound I/O on one accepted, non-blocking connection socket, for the threads that own a
/// connection outright (a `tail` stream) and for the event loop's refusals. Every wait is a
/// `poll(2)` on the socket and the server's wake fd, so a stopping server interrupts any write at
/// once, and no call can block past its deadline whatever the client does.
struct ConnectionSocket {
    let fd: Int32
    let wake: WakeEvent

    enum WaitResult {
        case ready
        case timedOut
        case stopped
    }

    enum WriteResult {
        case written
        case timedOut
        case stopped
        case failed(errno: Int32)
    }

    /// `poll(2)` for `events` on the socket until `deadline`, or until the wake fd fires.
    func wait(for events: Int32, until deadline: ContinuousClock.Instant) -> WaitResult {
        while true {
            let remaining = deadline - .now
            guard remaining > .zero else { return .timedOut }
            let (seconds, attoseconds) = remaining.components
            // Rounded up, so the deadline has passed when poll times out.
            let perMillisecond: Int64 = 1_000_000_000_000_000  // attoseconds
            let milliseconds = min(
                Int64(Int32.max), seconds * 1000 + (attoseconds + perMillisecond - 1) / perMillisecond
            )
            var fds = [
                pollfd(fd: fd, events: Int16(events), revents: 0),
                pollfd(fd: wake.fd, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&fds, 2, Int32(milliseconds))
            if ready < 0 {
                if errno == EINTR { continue }
                return .ready  // Let the next recv/send report the problem with its errno.
            }
            if fds[1].revents != 0 { return .stopped }
            if fds[0].revents != 0 { return .ready }
        }
    }

    /// Writes `head` then `body` with `sendmsg(2)` and `MSG_NOSIGNAL` (a vanished client is an
    /// EPIPE here, never a SIGPIPE), two iovecs per call so head and body leave in the same segments.
    /// `progress` is told every chunk the kernel took, for the byte counter.
    func write(
        head: [UInt8], body: [UInt8], until deadline: ContinuousClock.Instant, progress: (Int) -> Void
    ) -> WriteResult {
        head.withUnsafeBytes { head in
            body.withUnsafeBytes { body in
                var offset = 0
                let total = head.count + body.count
                while offset < total {
                    var vectors: [iovec] = []
                    if offset < head.count {
                        let start = UnsafeMutableRawPointer(mutating: head.baseAddress! + offset)
                        vectors.append(iovec(iov_base: start, iov_len: head.count - offset))
                    }
                    let bodyOffset = max(0, offset - head.count)
                    if bodyOffset < body.count {
                        let start = UnsafeMutableRawPointer(mutating: body.baseAddress! + bodyOffset)
                        vectors.append(iovec(iov_base: start, iov_len: body.count - bodyOffset))
                    }
                    let sent = vectors.withUnsafeMutableBufferPointer { vectors in
                        var message = msghdr()
                        message.msg_iov = vectors.baseAddress
                        message.msg_iovlen = vectors.count
                        return sendmsg(fd, &message, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
                    }
                    if sent > 0 {
                        offset += sent
                        progress(sent)
                        continue
                    }
                    switch errno {
                    case EINTR:
                        continue
                    case EAGAIN, EWOULDBLOCK:
                        switch wait(for: POLLOUT, until: deadline) {
                        case .ready: continue
                        case .timedOut: return .timedOut
                        case .stopped: return .stopped
                        }
                    case let error:
                        return .failed(errno: error)
                    }
                }
                return .written
            }
        }
    }

    /// A short answer written without waiting (`MSG_DONTWAIT`): what the event loop sends to a
    /// connection refused at the cap, which it must not block on. Returns the bytes the kernel took.
    func sendWithoutWaiting(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { max(0, send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))) }
    }

    /// Reads and discards what is already queued, without waiting, so the close after it is a FIN, not a RST.
    func discardQueued(maxBytes: Int = 65536) {
        var discarded = 0
        withUnsafeTemporaryAllocation(byteCount: 4096, alignment: 1) { scratch in
            while discarded < maxBytes {
                let count = recv(fd, scratch.baseAddress, scratch.count, Int32(MSG_DONTWAIT))
                guard count > 0 else { return }
                discarded += count
            }
        }
    }
}
