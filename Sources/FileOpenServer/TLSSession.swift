import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// One connection's TLS state (`SSL`, server side) over a non-blocking socket, driven by the event
/// loop: every call returns at once, saying whether the socket must become readable or writable
/// first. Used by one thread at a time (the loop's: workers never touch it), so never shared.
final class TLSSession {
    private let ssl: OpaquePointer
    /// The context it was made from, kept alive as long as the connection.
    private let context: TLSContext

    /// What an operation came to.
    enum Step: Equatable {
        /// Done (`count` bytes for a read or write; 0 for a handshake).
        case done(Int)
        /// Call again once the socket is readable.
        case wantRead
        /// Call again once the socket is writable.
        case wantWrite
        /// The peer closed the TLS session (close_notify) or the connection (EOF).
        case closed
        /// A protocol error or a failed system call; the connection is unusable. `plainHTTP`: the
        /// client spoke HTTP, not TLS.
        case failed(reason: String, plainHTTP: Bool)
    }

    /// `SSL_new`, `SSL_set_fd`, `SSL_set_accept_state`; nil if OpenSSL is out of memory.
    init?(context: TLSContext, fd: Int32) {
        guard let ssl = SSL_new(context.context) else { return nil }
        guard SSL_set_fd(ssl, fd) == 1 else {
            SSL_free(ssl)
            return nil
        }
        SSL_set_accept_state(ssl)
        self.ssl = ssl
        self.context = context
    }

    deinit {
        SSL_free(ssl)
    }

    /// `SSL_do_handshake`.
    func handshake() -> Step {
        ERR_clear_error()
        return step(SSL_do_handshake(ssl), success: 0)
    }

    /// `SSL_read` into `buffer`.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Step {
        ERR_clear_error()
        let count = SSL_read(ssl, buffer.baseAddress, Int32(clamping: buffer.count))
        return step(count, success: Int(count))
    }

    /// Plaintext bytes OpenSSL holds that the socket will not signal (`SSL_pending`).
    var pending: Int { Int(SSL_pending(ssl)) }

    /// `SSL_write` of `bytes` (a partial write returns what was taken).
    func write(_ bytes: UnsafeRawBufferPointer) -> Step {
        guard !bytes.isEmpty else { return .done(0) }
        ERR_clear_error()
        let count = SSL_write(ssl, bytes.baseAddress, Int32(clamping: bytes.count))
        return step(count, success: Int(count))
    }

    /// Sends close_notify without waiting for the peer's (`SSL_shutdown` once); failure is moot,
    /// the connection closes next.
    func shutdown() {
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    private func step(_ result: Int32, success: Int) -> Step {
        if result > 0 { return .done(success) }
        let error = SSL_get_error(ssl, result)
        let savedErrno = errno
        switch error {
        case SSL_ERROR_WANT_READ:
            return .wantRead
        case SSL_ERROR_WANT_WRITE:
            return .wantWrite
        case SSL_ERROR_ZERO_RETURN:
            return .closed
        case SSL_ERROR_SYSCALL:
            // No queued error and no errno: the peer closed the connection without close_notify.
            if let reason = TLSContext.errorQueueReason() { return .failed(reason: reason, plainHTTP: false) }
            if result == 0 || savedErrno == 0 { return .closed }
            return .failed(reason: "\(String(cString: strerror(savedErrno))) (errno \(savedErrno))", plainHTTP: false)
        default:
            let code = ERR_peek_error()
            let plainHTTP = cos_err_reason(code) == SSL_R_HTTP_REQUEST
            return .failed(reason: TLSContext.errorQueueReason() ?? "TLS error \(error)", plainHTTP: plainHTTP)
        }
    }
}
