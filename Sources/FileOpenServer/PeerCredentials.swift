import CFileOpend
#if canImport(Glibc)
import Glibc
#endif

/// Who is at the other end of a Unix socket connection, as the kernel recorded it when the peer
/// called `connect(2)`: it cannot be forged, and later `setuid` calls of the peer do not change it.
public struct PeerCredentials: Sendable, Equatable, CustomStringConvertible {
    /// The peer's process id (in the daemon's pid namespace; 0 if the peer is in another one).
    public let pid: Int32
    /// The peer's effective user id.
    public let uid: UInt32
    /// The peer's effective group id (its primary group, unless it changed it).
    public let gid: UInt32
    /// The peer's supplementary groups.
    public let groups: [UInt32]

    /// Credentials with these ids.
    public init(pid: Int32, uid: UInt32, gid: UInt32, groups: [UInt32]) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
        self.groups = groups
    }

    /// Reads them from a connected Unix socket: `getsockopt(SO_PEERCRED)` for pid, uid and gid,
    /// `getsockopt(SO_PEERGROUPS)` (Linux 4.13) for the supplementary groups, retried once with
    /// the size the kernel asks for when the peer has more than 64 groups.
    public init(socket fd: Int32) throws(ServerError) {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
        guard cfo_peer_credentials(fd, &pid, &uid, &gid) == 0 else { throw .failed("getsockopt(\(fd), SO_PEERCRED)") }
        var groups = [UInt32](repeating: 0, count: 64)
        var count = Int32(groups.count)
        var result = cfo_peer_groups(fd, &groups, &count)
        if result < 0, errno == ERANGE, count > groups.count {
            groups = [UInt32](repeating: 0, count: Int(count))
            result = cfo_peer_groups(fd, &groups, &count)
        }
        guard result >= 0 else { throw .failed("getsockopt(\(fd), SO_PEERGROUPS)") }
        self.init(pid: pid, uid: uid, gid: gid, groups: Array(groups.prefix(Int(result))))
    }

    /// `pid 1234 uid 1000 gid 1000`, for log lines.
    public var description: String { "pid \(pid) uid \(uid) gid \(gid)" }
}
