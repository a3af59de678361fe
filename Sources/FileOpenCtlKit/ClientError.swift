public import FileOpenCore
#if canImport(Glibc)
import Glibc
#endif

/// Everything `fileopenctl` can fail with after its arguments parsed, each with the one-line
/// message (without the `fileopenctl: ` prefix) and the exit status the contract gives it.
public enum ClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `connect(2)` found no daemon: ENOENT/ENOTDIR (no socket), ECONNREFUSED (a socket file that
    /// nobody listens on), or a path that is not a socket at all.
    case daemonNotRunning(socketPath: String, reason: NotRunningReason)
    /// `connect(2)` failed with EACCES or EPERM; `group` is the socket's group, when it could be read.
    case permissionDenied(socketPath: String, group: String)
    /// The daemon answered with an error reply.
    case daemonError(QueryError)
    /// End of stream (or a reset) before a whole reply line arrived, or while sending.
    case connectionClosed
    /// No reply within the time limit.
    case timedOut(seconds: Int)
    /// A reply line longer than the client accepts.
    case replyTooLong(limit: Int)
    /// A reply that is not the protocol's JSON.
    case invalidReply(String)
    /// Any other failed system call, named with its argument, e.g. `socket(AF_UNIX)`.
    case callFailed(operation: String, errno: Int32)

    /// Why no daemon is reachable.
    public enum NotRunningReason: Sendable, Equatable {
        /// Nothing at the path (ENOENT, ENOTDIR).
        case noSocket
        /// A socket file without a listener (ECONNREFUSED): a daemon that died without cleaning up.
        case staleSocket
        /// Something else at the path, e.g. a regular file.
        case notASocket
    }

    /// The group named in the permission message when the socket's own cannot be read.
    public static let defaultGroup = "fileopend"

    /// sysexits.h, as the contract says: EX_UNAVAILABLE (69) for no daemon, EX_NOPERM (77) for
    /// permissions (the daemon's `permission_denied` included), 1 for everything else.
    public var exitCode: Int32 {
        switch self {
        case .daemonNotRunning: 69
        case .permissionDenied: 77
        case .daemonError(let error): error.code == .permissionDenied ? 77 : 1
        case .connectionClosed, .timedOut, .replyTooLong, .invalidReply, .callFailed: 1
        }
    }

    /// The message, e.g. `daemon not running: no socket at /run/fileopend/fileopend.sock`.
    public var description: String {
        switch self {
        case .daemonNotRunning(let path, .noSocket):
            "daemon not running: no socket at \(TerminalText.escaped(path))"
        case .daemonNotRunning(let path, .staleSocket):
            "daemon not running: nothing listens on \(TerminalText.escaped(path)) (stale socket)"
        case .daemonNotRunning(let path, .notASocket):
            "daemon not running: \(TerminalText.escaped(path)) is not a socket"
        case .permissionDenied(let path, let group):
            "permission denied: \(TerminalText.escaped(path)) (you need to be root or in group \(group))"
        case .daemonError(let error):
            "daemon error (\(TerminalText.escaped(error.code.rawValue))): \(TerminalText.escaped(error.message))"
        case .connectionClosed:
            "daemon closed the connection"
        case .timedOut(let seconds):
            "daemon did not reply within \(seconds) seconds"
        case .replyTooLong(let limit):
            "daemon sent a reply line longer than \(limit / (1 << 20)) MiB"
        case .invalidReply(let reason):
            "daemon sent an invalid reply: \(TerminalText.escaped(reason))"
        case .callFailed(let operation, let errno):
            "\(TerminalText.escaped(operation)) failed: \(String(cString: strerror(errno))) (errno \(errno))"
        }
    }
}
