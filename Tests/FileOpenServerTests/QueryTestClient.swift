import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A deliberately low-level query client over a blocking Unix socket, so tests control every
/// byte, pauses, half-closes and how much is read.
final class QueryTestClient {
    let fd: Int32
    /// Received bytes; those before `start` have been returned as lines already.
    private var pending: [UInt8] = []
    private var start = 0

    /// Connects to `path`; reads give up after `readTimeout` seconds (SO_RCVTIMEO).
    init(path: String, readTimeout: Int = 10) throws {
        fd = try Self.connected(to: path, readTimeout: readTimeout)
    }

    deinit {
        close(fd)
    }

    /// A connected socket, or an error with the errno (ECONNREFUSED, EACCES, ENOENT…).
    static func connected(to path: String, readTimeout: Int = 10) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ClientError("socket: errno \(errno)") }
        var timeout = timeval(tv_sec: readTimeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path.utf8.prefix($0.count - 1)) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let error = errno
            close(fd)
            throw ClientError("connect(\(path)): \(String(cString: strerror(error))) (errno \(error))")
        }
        return fd
    }

    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw ClientError("send: errno \(errno)") }
            offset += sent
        }
    }

    /// `shutdown(SHUT_WR)`: the server sees end of stream but can still answer.
    func shutdownWrite() {
        shutdown(fd, Int32(SHUT_WR))
    }

    /// One recv of up to `size` bytes; nil on end of stream; throws on timeout or error.
    @discardableResult
    private func receiveMore(size: Int = 65536) throws -> Int? {
        var chunk = [UInt8](repeating: 0, count: size)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count == 0 { return nil }
        guard count > 0 else { throw ClientError("recv: \(String(cString: strerror(errno))) (errno \(errno))") }
        if start > 0 {
            pending.removeFirst(start)
            start = 0
        }
        pending.append(contentsOf: chunk[..<count])
        return count
    }

    /// The next line, newline included; throws if the connection ends or the read times out first.
    func readLine() throws -> String {
        while true {
            if let newline = pending[start...].firstIndex(of: 0x0A) {
                let line = String(decoding: pending[start...newline], as: UTF8.self)
                start = newline + 1
                return line
            }
            guard try receiveMore() != nil else {
                throw ClientError("connection closed before a whole line (\(pending.count - start) bytes pending)")
            }
        }
    }

    /// Sends `line` and a newline, returns the reply line.
    func request(_ line: String) throws -> String {
        try send(line + "\n")
        return try readLine()
    }

    /// The `error.code` of a reply line, or nil for a success.
    static func errorCode(_ reply: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(reply.utf8)) as? [String: Any],
              object["ok"] as? Bool == false, let error = object["error"] as? [String: Any]
        else { return nil }
        return error["code"] as? String
    }

    /// Whether the server has closed the connection: true on end of stream or a reset once pending
    /// lines are consumed, false if data arrives or the read times out.
    func serverClosed() -> Bool {
        guard pending.count == start else { return false }
        do {
            return try receiveMore() == nil
        } catch let error as ClientError {
            return error.description.contains("errno \(ECONNRESET)")
        } catch {
            return false
        }
    }
}
