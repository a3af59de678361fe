import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A raw client of the daemon's query socket: sends lines, reads lines, nothing clever, so the
/// tests see exactly what the daemon writes.
final class QuerySocketClient {
    private let fd: Int32
    private var buffer: [UInt8] = []

    /// Connects to the Unix socket at `path`.
    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket(AF_UNIX) failed: errno \(errno)") }
        let connected = withUnixSocketAddress(path) { connect(fd, $0, $1) }
        guard connected == 0 else {
            let error = errno
            close(fd)
            throw TestFailure("connect(\(path)) failed: errno \(error)")
        }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(fd)
    }

    /// Sends raw bytes (a request line must end in "\n").
    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw TestFailure("send failed: errno \(errno)") }
            offset += written
        }
    }

    func send(_ line: String) throws {
        try send(Array((line + "\n").utf8))
    }

    /// The next line without its newline, or nil at end of stream or after the 10 s read timeout.
    func readLine() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = recv(fd, &chunk, chunk.count, 0)
            guard count > 0 else { return nil }
            buffer += chunk[..<count]
        }
    }

    /// Sends a request object and returns the reply object.
    func request(_ object: [String: Any]) throws -> [String: Any] {
        let data = try JSONSerialization.data(withJSONObject: object)
        try send(String(decoding: data, as: UTF8.self))
        guard let line = readLine() else { throw TestFailure("no reply to \(object)") }
        return try Self.object(line)
    }

    /// The `result` of a successful reply (fails the test's precondition otherwise).
    func result(_ object: [String: Any]) throws -> [String: Any] {
        let reply = try request(object)
        guard reply["ok"] as? Bool == true, let result = reply["result"] as? [String: Any] else {
            throw TestFailure("request \(object) failed: \(reply)")
        }
        return result
    }

    static func object(_ line: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw TestFailure("not a JSON object: \(line)")
        }
        return object
    }
}
