import FileOpenCore
import FileOpenCtlKit
import Testing

@Suite("Errors: the contract's messages and exit statuses")
struct ClientErrorTests {
    @Test(
        "Each error's message and exit status",
        arguments: [
            (ClientError.daemonNotRunning(socketPath: "/run/fileopend/fileopend.sock", reason: .noSocket),
             "daemon not running: no socket at /run/fileopend/fileopend.sock", Int32(69)),
            (.daemonNotRunning(socketPath: "/tmp/s", reason: .staleSocket),
             "daemon not running: nothing listens on /tmp/s (stale socket)", 69),
            (.daemonNotRunning(socketPath: "/etc/passwd", reason: .notASocket),
             "daemon not running: /etc/passwd is not a socket", 69),
            (.permissionDenied(socketPath: "/run/fileopend/fileopend.sock", group: "fileopend"),
             "permission denied: /run/fileopend/fileopend.sock (you need to be root or in group fileopend)", 77),
            (.daemonError(QueryError(.notFound, "no process with pid 99999 is tracked")),
             "daemon error (not_found): no process with pid 99999 is tracked", 1),
            (.daemonError(QueryError(.permissionDenied, "reset needs root")),
             "daemon error (permission_denied): reset needs root", 77),
            (.daemonError(QueryError(.busy, "too many clients")), "daemon error (busy): too many clients", 1),
            (.connectionClosed, "daemon closed the connection", 1),
            (.timedOut(seconds: 10), "daemon did not reply within 10 seconds", 1),
            (.replyTooLong(limit: 16 << 20), "daemon sent a reply line longer than 16 MiB", 1),
            (.invalidReply("not JSON"), "daemon sent an invalid reply: not JSON", 1),
            (.callFailed(operation: "socket(AF_UNIX)", errno: 24),
             "socket(AF_UNIX) failed: Too many open files (errno 24)", 1),
        ]
    )
    func messages(_ error: ClientError, _ message: String, _ status: Int32) {
        #expect(error.description == message)
        #expect(error.exitCode == status)
    }

    @Test("A daemon's message cannot inject terminal controls into ours")
    func hostileMessage() {
        let error = ClientError.daemonError(
            QueryError(QueryError.Code(rawValue: "x\u{1b}"), "line\nbreak \u{1b}]0;title\u{07}\u{9b}2J"))
        #expect(error.description == "daemon error (x\\x1b): line\\nbreak \\x1b]0;title\\x07\\u{9B}2J")
    }
}
