import FileOpenCore
import FileOpenTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A stand-in for fileopend's query socket, so the client's side of the protocol (framing, error
/// mapping, output, exit statuses) can be tested without root or BPF. It answers each request
/// line with canned actions; the lead's end-to-end tests run `fileopenctl` against the real daemon.
final class FakeDaemon: Sendable {
    /// What to do in reply to one request line.
    enum Action: Sendable {
        /// Write a line (the newline is added).
        case send(String)
        /// Write bytes exactly as given (for partial lines and garbage).
        case sendRaw([UInt8])
        case pause(Duration)
        /// Close the connection.
        case close
        /// Read until the client closes its end, then close ours (a stream that never ends).
        case awaitClientClose
    }

    let path: String
    private let listenFD: Int32
    private let requests = Locked<[String]>([])
    private let clientCloses = Locked(0)

    /// Binds and listens on `path` and serves every connection on a thread of its own.
    init(path: String, respond: @escaping @Sendable (String) -> [Action]) throws {
        self.path = path
        unlink(path)
        listenFD = try Self.listening(at: path)
        let listenFD = listenFD, requests = requests, clientCloses = clientCloses
        Thread.detachNewThread {
            while true {
                let connection = accept(listenFD, nil, nil)
                guard connection >= 0 else { return }  // stop() shut the socket down.
                Thread.detachNewThread {
                    Self.serve(connection, respond: respond, requests: requests, clientCloses: clientCloses)
                }
            }
        }
    }

    /// Request lines received so far, over all connections.
    var receivedRequests: [String] { requests.value }
    /// How many connections the client closed while an `.awaitClientClose` waited.
    var clientClosedConnections: Int { clientCloses.value }

    /// Stops accepting (`shutdown(2)` wakes the blocked `accept`) and removes the socket file.
    func stop() {
        shutdown(listenFD, Int32(SHUT_RDWR))
        close(listenFD)
        unlink(path)
    }

    /// The daemon's reply line for `result`, as `QueryReply` writes it.
    static func reply(_ result: QueryResult) -> Action {
        .sendRaw(QueryReply.success(result))
    }

    /// The daemon's error reply line, as `QueryError` writes it.
    static func failure(_ code: QueryError.Code, _ message: String) -> Action {
        .sendRaw(QueryError(code, message).replyLine)
    }

    /// A success reply written by hand, members in another order than the daemon's:
    /// `{"version":1,"ok":true,"result":RESULT}`. A client must not care about the order.
    static func success(_ result: String) -> Action {
        .send(#"{"version":1,"ok":true,"result":"# + result + "}")
    }

    static func listening(at path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard fd >= 0, bound == 0, listen(fd, 16) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        return fd
    }

    private static func serve(
        _ fd: Int32, respond: @Sendable (String) -> [Action], requests: Locked<[String]>, clientCloses: Locked<Int>
    ) {
        defer { close(fd) }
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fd, &chunk, chunk.count)
            guard count > 0 else { return }
            pending += chunk[0..<count]
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeFirst(newline + 1)
                requests.withLock { $0.append(line) }
                for action in respond(line) {
                    switch action {
                    case .send(let text): writeAll(fd, Array((text + "\n").utf8))
                    case .sendRaw(let bytes): writeAll(fd, bytes)
                    case .pause(let duration): Thread.sleep(forTimeInterval: Double(duration.components.seconds)
                        + Double(duration.components.attoseconds) / 1e18)
                    case .close: return
                    case .awaitClientClose:
                        while read(fd, &chunk, chunk.count) > 0 {}
                        clientCloses.withLock { $0 += 1 }
                        return
                    }
                }
            }
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { return }
            offset += written
        }
    }
}
