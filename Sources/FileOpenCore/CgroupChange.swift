/// A v2 cgroup made or removed, as the kernel program reports it (its `cgroup_mkdir` and
/// `cgroup_rmdir` records), or found by the walk of the hierarchy at start (`made`).
public struct CgroupChange: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case made
        case removed
    }

    public var kind: Kind
    /// The cgroup's id: its cgroupfs inode, as the open records carry it.
    public var id: UInt64
    /// Its path from the hierarchy's root (`/system.slice/nginx.service`).
    public var path: String

    public init(_ kind: Kind, id: UInt64, path: String) {
        self.kind = kind
        self.id = id
        self.path = path
    }
}
