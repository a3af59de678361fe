#if canImport(Glibc)
import Glibc
#endif

/// What a server writes to one connection for one request, and what the connection does once it
/// is written. The bytes are written without waiting (`MSG_DONTWAIT`): by the worker that made
/// them as far as the socket takes them, the rest by the event loop as the client reads.
struct ConnectionOutput<HandOff: Sendable>: Sendable {
    /// After the last byte.
    enum After: Sendable {
        /// Read the next request (keep-alive, the next query line).
        case readNext
        /// Close at once.
        case close
        /// `shutdown(SHUT_WR)`, then read and discard what the client still sends until it closes
        /// (or the linger time passes) and close: closing with unread input would send a RST that
        /// can destroy the response before the client reads it.
        case closeAfterLinger
        /// The server takes the connection over (a query `tail` stream on a thread of its own).
        case handOff(HandOff)
    }

    /// Written first, e.g. a response head; then `body`. Two iovecs per `sendmsg(2)`, so a head and
    /// its body leave in the same segments.
    var head: [UInt8]
    var body: [UInt8]
    var after: After
    /// Bytes of `head` then `body` written so far.
    private(set) var offset = 0

    init(head: [UInt8], body: [UInt8] = [], after: After) {
        self.head = head
        self.body = body
        self.after = after
    }

    /// Bytes still to write.
    var remaining: Int { head.count + body.count - offset }

    enum SendResult: Equatable {
        /// Everything is written.
        case done
        /// The socket's buffer is full: wait for `EPOLLOUT`.
        case wouldBlock
        /// The client is gone (EPIPE, ECONNRESET, ...).
        case failed(errno: Int32)
    }

    /// The same through a TLS session (`SSL_write`, partial writes), on the event loop's thread:
    /// head and body are two writes, so two TLS records at least.
    mutating func send(through tls: TLSSession, sent: (Int) -> Void) -> SendResult {
        while offset < head.count + body.count {
            let step = offset < head.count
                ? head.withUnsafeBytes { tls.write(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
                : body.withUnsafeBytes { tls.write(UnsafeRawBufferPointer(rebasing: $0[(offset - head.count)...])) }
            switch step {
            case .done(let count):
                offset += count
                sent(count)
            case .wantRead, .wantWrite:
                return .wouldBlock
            case .closed:
                return .failed(errno: EPIPE)
            case .failed:
                return .failed(errno: ECONNRESET)
            }
        }
        return .done
    }

    /// `sendmsg(2)` with `MSG_NOSIGNAL | MSG_DONTWAIT` until done or the socket is full (a vanished
    /// client is an EPIPE here, never a SIGPIPE). `sent` is told every chunk the kernel took.
    mutating func send(to fd: Int32, sent: (Int) -> Void) -> SendResult {
        var offset = offset
        defer { self.offset = offset }
        return head.withUnsafeBytes { head in
            body.withUnsafeBytes { body in
                let total = head.count + body.count
                while offset < total {
                    var vectors = (iovec(), iovec())
                    var count = 0
                    withUnsafeMutableBytes(of: &vectors) { raw in
                        let slots = raw.bindMemory(to: iovec.self)
                        if offset < head.count {
                            slots[count] = iovec(
                                iov_base: UnsafeMutableRawPointer(mutating: head.baseAddress! + offset),
                                iov_len: head.count - offset)
                            count += 1
                        }
                        let bodyOffset = max(0, offset - head.count)
                        if bodyOffset < body.count {
                            slots[count] = iovec(
                                iov_base: UnsafeMutableRawPointer(mutating: body.baseAddress! + bodyOffset),
                                iov_len: body.count - bodyOffset)
                            count += 1
                        }
                    }
                    let written = withUnsafeMutablePointer(to: &vectors) { pointer in
                        pointer.withMemoryRebound(to: iovec.self, capacity: 2) { vectors in
                            var message = msghdr()
                            message.msg_iov = vectors
                            message.msg_iovlen = count
                            return sendmsg(fd, &message, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
                        }
                    }
                    if written > 0 {
                        offset += written
                        sent(written)
                        continue
                    }
                    if written == 0 { return .wouldBlock }  // Not seen for a non-empty message; EPOLLOUT retries.
                    switch errno {
                    case EINTR: continue
                    case EAGAIN, EWOULDBLOCK: return .wouldBlock
                    case let error: return .failed(errno: error)
                    }
                }
                return .done
            }
        }
    }
}
