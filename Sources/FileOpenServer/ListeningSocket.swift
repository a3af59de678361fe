#if canImport(Glibc)
import Glibc
#endif
import CFileOpend
import FileOpenSystem
import Synchronization

/// An owning wrapper of one listening TCP socket: bound here (`bind(_:backlog:)`) or inherited from
/// systemd socket activation (`init(adopting:)`). It is non-blocking and close-on-exec, so the
/// accept loop can poll it next to its wake fd and a daemon re-exec never leaks it.
/// `close()` closes it deterministically (the `HTTPServer` owning it does so in `stop()`); it is
/// held as an `OwnedDescriptor`, so it is closed when the object ends if nobody did.
public final class ListeningSocket: Sendable {
    /// The address the socket is bound to (`getsockname(2)`): the real port when port 0 was asked.
    public let boundAddress: ListenAddress
    /// The descriptor, nil once closed; dropping it closes it (so does this object's end).
    private let descriptor: Mutex<OwnedDescriptor?>

    private init(descriptor: consuming OwnedDescriptor, boundAddress: ListenAddress) {
        self.descriptor = Mutex(descriptor)
        self.boundAddress = boundAddress
    }

    /// Creates a TCP socket (`socket(2)` with `SOCK_CLOEXEC | SOCK_NONBLOCK`), sets `SO_REUSEADDR`
    /// (a restarted daemon rebinds while old connections sit in TIME_WAIT) and, for IPv6,
    /// `IPV6_V6ONLY` (so `[::]` never silently takes the IPv4 port too), then `bind(2)` and `listen(2)`.
    public static func bind(_ address: ListenAddress, backlog: Int32 = 128) throws(ServerError) -> ListeningSocket {
        let domain = address.family == .ipv4 ? AF_INET : AF_INET6
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        let fd = socket(domain, type, Int32(IPPROTO_TCP))
        guard fd >= 0 else { throw .failed("socket(\(address.family == .ipv4 ? "AF_INET" : "AF_INET6"))") }
        // Closed on every error below; handed to the socket object at the end.
        let owned = OwnedDescriptor(fd)
        try SocketOption.set(fd, SOL_SOCKET, SO_REUSEADDR, 1, name: "SO_REUSEADDR")
        if address.family == .ipv6 {
            try SocketOption.set(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 1, name: "IPV6_V6ONLY")
        }
        let bound = address.withSocketAddress { Glibc.bind(fd, $0, $1) }
        guard bound == 0 else { throw .failed("bind(\(address))") }
        guard listen(fd, backlog) == 0 else { throw .failed("listen(\(address))") }
        let local = try localAddress(of: fd)
        return ListeningSocket(descriptor: owned, boundAddress: local)
    }

    /// Takes ownership of an inherited descriptor (systemd `LISTEN_FDS`, from `sd_listen_fds(3)`),
    /// after checking with `getsockopt(2)` that it is a listening (`SO_ACCEPTCONN`) stream
    /// (`SO_TYPE`) socket of family AF_INET or AF_INET6 (`SO_DOMAIN`). Makes it non-blocking and
    /// close-on-exec (`fcntl(2)`). On error the descriptor is left open: it is still the caller's.
    public init(adopting fd: Int32) throws(ServerError) {
        guard try Self.option(fd, SO_TYPE, name: "SO_TYPE") == Int32(SOCK_STREAM.rawValue) else {
            throw .notAListeningSocket(descriptor: fd, reason: "not a stream socket (SO_TYPE)")
        }
        let domain = try Self.option(fd, SO_DOMAIN, name: "SO_DOMAIN")
        guard domain == AF_INET || domain == AF_INET6 else {
            throw .notAListeningSocket(descriptor: fd, reason: "not an IPv4 or IPv6 socket (SO_DOMAIN \(domain))")
        }
        guard try Self.option(fd, SO_ACCEPTCONN, name: "SO_ACCEPTCONN") == 1 else {
            throw .notAListeningSocket(descriptor: fd, reason: "not listening (SO_ACCEPTCONN is 0)")
        }
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else { throw .failed("fcntl(\(fd), F_SETFL)") }
        guard fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 else { throw .failed("fcntl(\(fd), F_SETFD)") }
        self.boundAddress = try Self.localAddress(of: fd)
        self.descriptor = Mutex(OwnedDescriptor(fd))
    }

    /// The descriptor, nil once closed. Do not close it yourself.
    public var fileDescriptor: Int32? {
        descriptor.withLock { $0?.rawValue }
    }

    /// Closes the socket (`close(2)`): new connections are refused from here on. Idempotent.
    public func close() {
        let owned = descriptor.withLock { $0.take() }
        owned?.close()
    }

    private static func option(_ fd: Int32, _ option: Int32, name: String) throws(ServerError) -> Int32 {
        do {
            return try SocketOption.get(fd, option, name: name)
        } catch where error.errno == ENOTSOCK {
            throw .notAListeningSocket(descriptor: fd, reason: "not a socket")
        }
    }

    /// `getsockname(2)`.
    private static func localAddress(of fd: Int32) throws(ServerError) -> ListenAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { throw .failed("getsockname(\(fd))") }
        guard let address = ListenAddress(socketAddress: storage) else {
            throw .notAListeningSocket(descriptor: fd, reason: "not an IPv4 or IPv6 socket")
        }
        return address
    }
}
