public import FileOpenCore

#if canImport(Glibc)
import Glibc
#endif

/// One connection to the daemon's query socket (`AF_UNIX`, `SOCK_STREAM`), owning its file
/// descriptor: sends request lines and reads reply lines, each at most `maximumLineBytes`.
/// Every wait is a `poll(2)` that an `InterruptSignal` can end, so Ctrl-C stops `tail` and
/// `top --watch` at once, whatever the daemon does. Used from one thread.
public final class DaemonConnection {
    /// The longest reply line accepted: far above any real reply, low enough to bound memory.
    public static let maximumLineBytes = 16 << 20
    /// The default socket path of the daemon.
    public static let defaultSocketPath = "/run/fileopend/fileopend.sock"
    /// The longest path `sockaddr_un.sun_path` holds, its NUL excluded.
    public static let maximumPathBytes = MemoryLayout<sockaddr_un>.size - MemoryLayout<sa_family_t>.size - 1

    /// What a wait for a line ended with.
    public enum ReadResult: Equatable, Sendable {
        /// A whole line, without its newline.
        case line([UInt8])
        /// The daemon closed the connection at a line boundary.
        case endOfStream
        /// The interrupt signal fired (Ctrl-C).
        case interrupted
    }

    /// The path connected to, for messages.
    public let socketPath: String
    private let fd: Int32
    /// Received bytes from `start` on are not yet returned; `scanned` of them hold no newline.
    private var buffer: [UInt8] = []
    private var start = 0
    private var scanned = 0
    /// Where `read(2)` puts bytes before they join `buffer`; allocated once.
    private var chunk = [UInt8](repeating: 0, count: 64 << 10)

    /// Connects to `socketPath` with `socket(2)` and `connect(2)`, mapping the errors that mean
    /// "no daemon" or "not allowed" to their own cases.
    public init(socketPath: String) throws(ClientError) {
        self.socketPath = socketPath
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .callFailed(operation: "socket(AF_UNIX)", errno: errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        guard pathBytes.count <= Self.maximumPathBytes, !pathBytes.contains(0) else {
            close(fd)
            throw .callFailed(operation: "connect(\(socketPath))", errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: pathBytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count + 1)
        // No retry on EINTR: this process handles no signal in a handler, and a retried connect
        // would report EALREADY rather than finish.
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
        }
        if result < 0 {
            let error = errno
            close(fd)
            throw Self.connectError(socketPath, errno: error)
        }
        self.fd = fd
    }

    deinit {
        close(fd)
    }

    /// The error for a failed `connect(2)`.
    static func connectError(_ path: String, errno error: Int32) -> ClientError {
        switch error {
        case ENOENT, ENOTDIR:
            return .daemonNotRunning(socketPath: path, reason: .noSocket)
        case ECONNREFUSED:
            // Also what connecting to a regular file says; tell that apart from a stale socket.
            var info = stat()
            if stat(path, &info) == 0 && info.st_mode & S_IFMT != S_IFSOCK {
                return .daemonNotRunning(socketPath: path, reason: .notASocket)
            }
            return .daemonNotRunning(socketPath: path, reason: .staleSocket)
        case EACCES, EPERM:
            return .permissionDenied(socketPath: path, group: socketGroup(path) ?? ClientError.defaultGroup)
        default:
            return .callFailed(operation: "connect(\(path))", errno: error)
        }
    }

    /// The name of the socket file's group (`stat(2)`, `getgrgid_r(3)`), if it can be read and
    /// is not root's: that is the group that grants access.
    private static func socketGroup(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0, info.st_gid != 0 else { return nil }
        var group = group()
        var found: UnsafeMutablePointer<group>?
        var storage = [CChar](repeating: 0, count: 4096)
        guard getgrgid_r(info.st_gid, &group, &storage, storage.count, &found) == 0, found != nil else {
            return String(info.st_gid)
        }
        return String(cString: group.gr_name)
    }

    /// Sends `bytes` whole with `send(2)` and `MSG_NOSIGNAL`: a daemon that went away is
    /// `.connectionClosed` here, never a SIGPIPE.
    public func send(_ bytes: [UInt8]) throws(ClientError) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent >= 0 {
                offset += sent
                continue
            }
            switch errno {
            case EINTR: continue
            case EPIPE, ECONNRESET: throw .connectionClosed
            case let error: throw .callFailed(operation: "send(\(socketPath))", errno: error)
            }
        }
    }

    /// The next line, waiting with `poll(2)` up to `timeout` (nil: no limit) or until `interrupt`
    /// fires, reading with `read(2)`. A partial line at the end of the stream is `.connectionClosed`.
    public func readLine(
        timeout: Duration? = nil, interrupt: InterruptSignal? = nil
    ) throws(ClientError) -> ReadResult {
        let deadline = timeout.map { ContinuousClock.now + $0 }
        while true {
            if let line = takeBufferedLine() { return .line(line) }
            guard buffer.count - start <= Self.maximumLineBytes else {
                throw .replyTooLong(limit: Self.maximumLineBytes)
            }
            switch try waitReadable(until: deadline, interrupt: interrupt) {
            case .interrupted: return .interrupted
            case .timedOut: throw .timedOut(seconds: Int(timeout?.components.seconds ?? 0))
            case .ready: break
            }
            compact()
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                buffer.append(contentsOf: chunk[0..<count])
            } else if count == 0 {
                if start == buffer.count { return .endOfStream }
                throw .connectionClosed
            } else {
                switch errno {
                case EINTR, EAGAIN: continue
                case ECONNRESET, EPIPE: throw .connectionClosed
                case let error: throw .callFailed(operation: "read(\(socketPath))", errno: error)
                }
            }
        }
    }

    /// What a wait for lines ended with: `readLines` returns every complete line already
    /// received, so a caller can write them out and flush once per batch.
    public enum BatchResult: Equatable, Sendable {
        /// At least one whole line, each without its newline.
        case lines([[UInt8]])
        /// The daemon closed the connection at a line boundary.
        case endOfStream
        /// The interrupt signal fired (Ctrl-C).
        case interrupted
    }

    /// Waits like `readLine` for one line, then also takes every further complete line that is
    /// already buffered, without waiting again.
    public func readLines(
        timeout: Duration? = nil, interrupt: InterruptSignal? = nil
    ) throws(ClientError) -> BatchResult {
        switch try readLine(timeout: timeout, interrupt: interrupt) {
        case .endOfStream: return .endOfStream
        case .interrupted: return .interrupted
        case .line(let first):
            var lines = [first]
            while let line = takeBufferedLine() { lines.append(line) }
            return .lines(lines)
        }
    }

    /// Sends `request` and reads its reply: the result, decoded as `Result` (the command's report
    /// type), or nil if interrupted first.
    public func send<Result: Decodable & Sendable>(
        _ request: QueryRequest, expecting _: Result.Type, timeout: Duration, interrupt: InterruptSignal? = nil
    ) throws(ClientError) -> Result? {
        try send(Array(request.line.utf8))
        switch try readLine(timeout: timeout, interrupt: interrupt) {
        case .line(let line): return try DaemonReply.result(Result.self, fromLine: line)
        case .endOfStream: throw .connectionClosed
        case .interrupted: return nil
        }
    }

    private enum WaitResult {
        case ready, timedOut, interrupted
    }

    private func waitReadable(
        until deadline: ContinuousClock.Instant?, interrupt: InterruptSignal?
    ) throws(ClientError) -> WaitResult {
        while true {
            var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
            if let interrupt { fds.append(pollfd(fd: interrupt.fd, events: Int16(POLLIN), revents: 0)) }
            var timeout: Int32 = -1
            if let deadline {
                let remaining = deadline - .now
                guard remaining > .zero else { return .timedOut }
                timeout = remaining.pollMilliseconds
            }
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            if ready < 0 {
                if errno == EINTR { continue }
                throw .callFailed(operation: "poll(\(socketPath))", errno: errno)
            }
            if fds.count > 1 && fds[1].revents != 0 { return .interrupted }
            // POLLHUP and POLLERR also mean "read now": read(2) then says what happened.
            if fds[0].revents != 0 { return .ready }
        }
    }

    private func takeBufferedLine() -> [UInt8]? {
        guard let newline = buffer[(start + scanned)...].firstIndex(of: UInt8(ascii: "\n")) else {
            scanned = buffer.count - start
            return nil
        }
        let line = Array(buffer[start..<newline])
        start = newline + 1
        scanned = 0
        return line
    }

    /// Drops returned bytes once they are most of the buffer, so a long stream stays linear.
    private func compact() {
        guard start > 0, start * 2 >= buffer.count else { return }
        buffer.removeFirst(start)
        start = 0
    }
}
