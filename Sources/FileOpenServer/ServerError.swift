#if canImport(Glibc)
import Glibc
#endif

/// Everything the servers' set-up throws, each case naming what failed so one log line is enough.
/// (Per-request problems are answered with an HTTP status or a query error reply, never thrown.)
public enum ServerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A system call failed; `operation` names it with its argument, e.g. `bind([::1]:9469)`.
    case callFailed(operation: String, errno: Int32)
    /// The text is not `HOST:PORT` with an IPv4 or bracketed IPv6 literal.
    case invalidListenAddress(String, reason: String)
    /// A descriptor handed over (systemd socket activation) is not a listening TCP socket.
    case notAListeningSocket(descriptor: Int32, reason: String)
    /// `start()` after `stop()` or a second `start()`.
    case invalidState(String)
    /// The query socket path is unusable (empty, relative, too long for `sun_path`).
    case invalidSocketPath(String, reason: String)
    /// A daemon is accepting connections on the query socket already (`connect(2)` succeeded).
    case socketInUse(path: String)
    /// Something other than a socket is at the query socket's path; it is left alone.
    case notASocket(path: String)
    /// A descriptor handed over for the query socket is not a listening Unix stream socket.
    case notAUnixListeningSocket(descriptor: Int32, reason: String)
    /// The TLS configuration could not be loaded: `what` names the file or setting, `reason` is
    /// OpenSSL's (e.g. `cert_file /etc/fileopend/cert.pem`, `no such file`).
    case tls(String, reason: String)

    /// The errno of a failed call, if this is one.
    public var errno: Int32? {
        if case .callFailed(_, let errno) = self { return errno }
        return nil
    }

    /// One line naming what failed and why, e.g. `bind([::1]:9469) failed: Address already in use (errno 98)`.
    public var description: String {
        switch self {
        case .callFailed(let operation, let errno):
            "\(operation) failed: \(String(cString: strerror(errno))) (errno \(errno))"
        case .invalidListenAddress(let text, let reason):
            "listen address '\(text)' is not HOST:PORT with an IPv4 or [IPv6] literal (\(reason))"
        case .notAListeningSocket(let descriptor, let reason):
            "file descriptor \(descriptor) is not a listening TCP socket: \(reason)"
        case .invalidState(let message):
            message
        case .invalidSocketPath(let path, let reason):
            "query socket path '\(path)' is unusable: \(reason)"
        case .socketInUse(let path):
            "another fileopend is already serving \(path)"
        case .notASocket(let path):
            "\(path) exists and is not a socket; not removing it (move it away or choose another --socket path)"
        case .notAUnixListeningSocket(let descriptor, let reason):
            "file descriptor \(descriptor) is not a listening Unix stream socket: \(reason)"
        case .tls(let what, let reason):
            "TLS: \(what): \(reason)"
        }
    }

    /// The failure of the call just made, from the thread's `errno`.
    static func failed(_ operation: String) -> ServerError {
        .callFailed(operation: operation, errno: Glibc.errno)
    }
}
