import FileOpenServer
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A response as a raw client saw it.
struct ReceivedResponse {
    var status: Int
    var reason: String
    var headers: HTTPHeaders
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
}

struct ClientError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A deliberately low-level HTTP client over a blocking POSIX socket, so tests control every byte,
/// every pause, half-closes and buffer sizes, which no HTTP library would let them do.
final class TestClient {
    let fd: Int32
    /// Received and not yet returned.
    private var pending: [UInt8] = []

    /// Connects to `address`; `receiveBuffer` sets SO_RCVBUF first (before the handshake, so the
    /// window stays small). Reads give up after `readTimeout` (SO_RCVTIMEO).
    init(_ address: ListenAddress, receiveBuffer: Int32? = nil, readTimeout: Int = 5) throws {
        // Set up in a local: should connect fail, self.fd stays unset, so deinit cannot close the
        // number a second time (in a parallel test run it may belong to someone else by then).
        fd = try Self.connected(to: address, receiveBuffer: receiveBuffer, readTimeout: readTimeout)
    }

    private static func connected(to address: ListenAddress, receiveBuffer: Int32?, readTimeout: Int) throws -> Int32 {
        let isIPv6 = address.family == .ipv6
        let fd = socket(isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ClientError("socket: errno \(errno)") }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var timeout = timeval(tv_sec: readTimeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let result: Int32
        if isIPv6 {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = address.port.bigEndian
            inet_pton(AF_INET6, address.host, &sin6.sin6_addr)
            result = withUnsafePointer(to: &sin6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        } else {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = address.port.bigEndian
            inet_pton(AF_INET, address.host, &sin.sin_addr)
            result = withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        guard result == 0 else {
            let error = errno
            Glibc.close(fd)
            throw ClientError("connect(\(address)): \(String(cString: strerror(error))) (errno \(error))")
        }
        return fd
    }

    deinit {
        Glibc.close(fd)
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

    /// One recv; nil on end of stream; throws on timeout or error (e.g. ECONNRESET).
    private func receiveMore() throws -> Int? {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count == 0 { return nil }
        guard count > 0 else { throw ClientError("recv: \(String(cString: strerror(errno))) (errno \(errno))") }
        pending.append(contentsOf: chunk[..<count])
        return count
    }

    /// Reads exactly one response; `head: true` for the answer to a HEAD request (no body follows).
    func readResponse(head: Bool = false) throws -> ReceivedResponse {
        let terminator: [UInt8] = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while true {
            if pending.count >= 4,
                let end = (0...(pending.count - 4)).first(where: { Array(pending[$0..<$0 + 4]) == terminator })
            {
                headEnd = end
                break
            }
            guard try receiveMore() != nil else {
                throw ClientError("connection closed before a response head (\(pending.count) bytes)")
            }
        }
        let headText = String(decoding: pending[..<headEnd!], as: UTF8.self)
        pending.removeFirst(headEnd! + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
        guard statusLine.count >= 2, statusLine[0] == "HTTP/1.1", let status = Int(statusLine[1]) else {
            throw ClientError("bad status line in \(headText)")
        }
        var headers = HTTPHeaders()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw ClientError("bad header line \(line)") }
            headers.append(
                name: String(line[..<colon]),
                value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        guard let length = headers["Content-Length"].flatMap(Int.init) else { throw ClientError("no Content-Length") }
        let bodyLength = head ? 0 : length
        while pending.count < bodyLength {
            guard try receiveMore() != nil else { throw ClientError("connection closed inside a body") }
        }
        let body = Array(pending[..<bodyLength])
        pending.removeFirst(bodyLength)
        return ReceivedResponse(
            status: status, reason: statusLine.count > 2 ? String(statusLine[2]) : "", headers: headers, body: body)
    }

    /// Reads a little (at least `bytes`) and returns without reading the rest.
    func readSome(atLeast bytes: Int) throws {
        while pending.count < bytes {
            guard try receiveMore() != nil else { return }
        }
    }

    /// Whether the server has closed the connection: true on end of stream or a reset once any
    /// pending response bytes are consumed, false if data arrives or the read times out.
    func serverClosed() -> Bool {
        guard pending.isEmpty else { return false }
        do {
            return try receiveMore() == nil
        } catch let error as ClientError {
            return error.description.contains("errno \(ECONNRESET)")
        } catch {
            return false
        }
    }

    /// Bytes received and not consumed by `readResponse`.
    var unread: [UInt8] { pending }
}
