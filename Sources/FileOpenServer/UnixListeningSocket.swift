#if canImport(Glibc)
import Glibc
#endif
import CFileOpend
import FileOpenSystem
import Synchronization

/// An owning wrapper of the query server's listening Unix stream socket: bound at a path here
/// (`bind(path:mode:groupID:)`) or inherited from systemd socket activation (`init(adopting:)`).
/// Non-blocking and close-on-exec, like `ListeningSocket`. `close()` closes it and removes the
/// socket file if this process created it and it is still the same file (device and inode), so a
/// successor daemon's socket is never deleted; `deinit` does the same if nobody did.
public final class UnixListeningSocket: Sendable {
    /// Device and inode of a file, to recognise the socket file we created.
    private struct FileIdentity: Equatable {
        var device: UInt64
        var inode: UInt64
    }

    private struct State {
        var fd: Int32
        /// Set when this process bound the path, for `close()` to remove the file.
        var created: FileIdentity?
    }

    /// The socket's path; nil for an adopted socket without one (abstract or unnamed).
    public let path: String?
    /// The socket file's group after set-up (`stat(2)`), whose members may read; nil without a path.
    public let groupID: UInt32?
    private let state: Mutex<State>

    private init(fd: Int32, path: String?, groupID: UInt32?, created: FileIdentity?) {
        self.path = path
        self.groupID = groupID
        state = Mutex(State(fd: fd, created: created))
    }

    deinit {
        close()
    }

    /// Binds a listening socket at `path`:
    /// - creates missing parent directories with mode 0755 (`mkdir(2)`, then `chmod(2)`: the umask must not narrow it);
    /// - if a socket file is there, `connect(2)`s to it: ECONNREFUSED means its daemon is gone and
    ///   the file is removed (`unlink(2)`); a connection (or EAGAIN, a full backlog) means a daemon
    ///   is serving it: `.socketInUse`. Anything else at the path is never removed: `.notASocket`;
    /// - `socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK)`, `bind(2)` and `listen(2)`
    ///   inside a private directory made beside `path` (`mkdtemp(3)`, mode 0700), `chmod(2)` to
    ///   `mode` and, if `groupID` is set, `chown(2)` to the group there — where nobody else can swap
    ///   the file for a symlink — then `renameat2(RENAME_NOREPLACE)` into place, which never
    ///   replaces anything that appeared at `path` meanwhile.
    static func bind(
        path: String, mode: mode_t = 0o660, groupID: UInt32?, backlog: Int32 = 256
    ) throws(ServerError) -> UnixListeningSocket {
        try checkPath(path)
        try makeParentDirectories(of: path)
        try removeStaleSocket(at: path)
        let parent = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        var template = Array(((parent.isEmpty && path.hasPrefix("/") ? "" : parent.isEmpty ? "." : parent)
            + "/.fileopend-XXXXXX").utf8CString)
        guard let privateDirectory = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) })
            .map({ String(cString: $0) }) else { throw .failed("mkdtemp(\(parent)/.fileopend-XXXXXX)") }
        defer { rmdir(privateDirectory) }
        let staging = privateDirectory + "/socket"
        try checkPath(staging)
        let fd = socket(AF_UNIX, streamType, 0)
        guard fd >= 0 else { throw .failed("socket(AF_UNIX)") }
        // Closed on every error below; handed to the socket object at the end.
        let owned = OwnedDescriptor(fd)
        var placed = false
        do throws(ServerError) {
            guard withSocketAddress(staging, { Glibc.bind(fd, $0, $1) }) == 0 else {
                throw ServerError.failed("bind(\(staging))")
            }
            defer { if !placed { unlink(staging) } }
            guard listen(fd, backlog) == 0 else { throw ServerError.failed("listen(\(path))") }
            guard chmod(staging, mode) == 0 else {
                throw ServerError.failed("chmod(\(staging), 0\(String(mode, radix: 8)))")
            }
            if let groupID, chown(staging, uid_t.max, groupID) != 0 {
                throw ServerError.failed("chown(\(staging), -1, \(groupID))")
            }
            guard cfo_rename_noreplace(staging, path) == 0 else {
                if Glibc.errno == EEXIST { throw ServerError.socketInUse(path: path) }
                throw ServerError.failed("renameat2(\(staging), \(path), RENAME_NOREPLACE)")
            }
            placed = true
            let status = try fileStatus(path)
            return UnixListeningSocket(
                fd: owned.take(), path: path, groupID: status.st_gid,
                created: FileIdentity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino)))
        } catch {
            if placed { unlink(path) }
            throw error
        }
    }

    /// Takes ownership of an inherited descriptor (systemd `LISTEN_FDS`), after checking with
    /// `getsockopt(2)` that it is a listening (`SO_ACCEPTCONN`) stream (`SO_TYPE`) socket of family
    /// AF_UNIX (`SO_DOMAIN`); makes it non-blocking and close-on-exec (`fcntl(2)`) and reads its
    /// path (`getsockname(2)`) and the file's group (`stat(2)`). The file is systemd's: `close()`
    /// leaves it. On error the descriptor is left open: it is still the caller's.
    public convenience init(adopting fd: Int32) throws(ServerError) {
        func check(_ option: Int32, _ name: String) throws(ServerError) -> Int32 {
            do {
                return try SocketOption.get(fd, option, name: name)
            } catch where error.errno == ENOTSOCK {
                throw .notAUnixListeningSocket(descriptor: fd, reason: "not a socket")
            }
        }
        guard try check(SO_TYPE, "SO_TYPE") == Int32(SOCK_STREAM.rawValue) else {
            throw .notAUnixListeningSocket(descriptor: fd, reason: "not a stream socket (SO_TYPE)")
        }
        let domain = try check(SO_DOMAIN, "SO_DOMAIN")
        guard domain == AF_UNIX else {
            throw .notAUnixListeningSocket(descriptor: fd, reason: "not an AF_UNIX socket (SO_DOMAIN \(domain))")
        }
        guard try check(SO_ACCEPTCONN, "SO_ACCEPTCONN") == 1 else {
            throw .notAUnixListeningSocket(descriptor: fd, reason: "not listening (SO_ACCEPTCONN is 0)")
        }
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else { throw .failed("fcntl(\(fd), F_SETFL)") }
        guard fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 else { throw .failed("fcntl(\(fd), F_SETFD)") }
        var address = sockaddr_un()
        var length = socklen_t(MemoryLayout<sockaddr_un>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw .failed("getsockname(\(fd))") }
        let pathBytes = withUnsafeBytes(of: address.sun_path) { Array($0.prefix { $0 != 0 }) }
        let path = pathBytes.isEmpty ? nil : String(decoding: pathBytes, as: UTF8.self)
        let groupID = try path.map { path throws(ServerError) in try Self.fileStatus(path).st_gid }
        self.init(fd: fd, path: path, groupID: groupID, created: nil)
    }

    /// The descriptor, nil once closed. Do not close it yourself.
    var fileDescriptor: Int32? {
        state.withLock { $0.fd >= 0 ? $0.fd : nil }
    }

    /// Removes the socket file if this process created it and it is still that file (`lstat(2)`,
    /// `unlink(2)`), then closes the socket (`close(2)`). Idempotent.
    public func close() {
        let (fd, created) = state.withLock { state in
            defer {
                state.fd = -1
                state.created = nil
            }
            return (state.fd, state.created)
        }
        if let created, let path, let status = try? Self.fileStatus(path), status.st_mode & S_IFMT == S_IFSOCK,
           FileIdentity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino)) == created {
            unlink(path)
        }
        if fd >= 0 { Glibc.close(fd) }
    }

    // MARK: - Set-up steps

    /// `SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK`.
    private static let streamType = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        | Int32(SOCK_NONBLOCK.rawValue)

    private static func checkPath(_ path: String) throws(ServerError) {
        guard !path.isEmpty else { throw .invalidSocketPath(path, reason: "it is empty") }
        guard !path.utf8.contains(0) else { throw .invalidSocketPath(path, reason: "it contains a NUL byte") }
        let capacity = MemoryLayout.size(ofValue: sockaddr_un().sun_path)
        guard path.utf8.count < capacity else {
            throw .invalidSocketPath(path, reason: "longer than \(capacity - 1) bytes (sun_path)")
        }
    }

    /// `mkdir -p` of the parent with mode 0755 for each directory made here.
    private static func makeParentDirectories(of path: String) throws(ServerError) {
        var components = path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
        var missing: [String] = []
        while !components.isEmpty {
            let directory = components.joined(separator: "/")
            guard !directory.isEmpty else { break }
            var status = stat()
            if stat(directory, &status) == 0 { break }
            guard Glibc.errno == ENOENT else { throw .failed("stat(\(directory))") }
            missing.append(directory)
            components = components.dropLast()
        }
        for directory in missing.reversed() {
            guard mkdir(directory, 0o755) == 0 || Glibc.errno == EEXIST else { throw .failed("mkdir(\(directory))") }
            guard chmod(directory, 0o755) == 0 else { throw .failed("chmod(\(directory), 0755)") }
        }
    }

    /// Removes a socket file left by a daemon that died; see `bind(path:mode:groupID:backlog:)`.
    private static func removeStaleSocket(at path: String) throws(ServerError) {
        var status = stat()
        guard lstat(path, &status) == 0 else {
            if Glibc.errno == ENOENT { return }
            throw .failed("lstat(\(path))")
        }
        guard status.st_mode & S_IFMT == S_IFSOCK else { throw .notASocket(path: path) }
        let probe = socket(AF_UNIX, streamType, 0)
        guard probe >= 0 else { throw .failed("socket(AF_UNIX)") }
        defer { Glibc.close(probe) }
        if withSocketAddress(path, { connect(probe, $0, $1) }) == 0 {
            throw .socketInUse(path: path)
        }
        switch Glibc.errno {
        case ECONNREFUSED:
            guard unlink(path) == 0 || Glibc.errno == ENOENT else { throw .failed("unlink(\(path))") }
        case ENOENT:
            return  // Removed meanwhile.
        case EAGAIN, EINPROGRESS:
            throw .socketInUse(path: path)  // Alive, with a full backlog.
        default:
            throw .failed("connect(\(path))")
        }
    }

    private static func fileStatus(_ path: String) throws(ServerError) -> stat {
        var status = stat()
        guard lstat(path, &status) == 0 else { throw .failed("lstat(\(path))") }
        return status
    }

    /// `path` as a `sockaddr_un` (checked to fit by `checkPath`).
    private static func withSocketAddress<Result>(
        _ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Result
    ) -> Result {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8.prefix(raw.count - 1))
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }
}
