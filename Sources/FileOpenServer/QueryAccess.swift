public import FileOpenCore

/// What a peer of the query socket may do, decided from its credentials alone.
public enum QueryAccess: Sendable, Equatable {
    /// Root (uid 0): every command, `reset` included.
    case admin
    /// A member of the socket's group: every command but `reset`.
    case read
    /// Anyone else: every request is answered with `permission_denied`.
    case none

    /// Root is admin; a peer whose primary gid or one of whose supplementary groups is
    /// `socketGroup` may read; anyone else nothing. Without a socket group only root gets in.
    public init(peer: PeerCredentials, socketGroup: UInt32?) {
        if peer.uid == 0 {
            self = .admin
        } else if let socketGroup, peer.gid == socketGroup || peer.groups.contains(socketGroup) {
            self = .read
        } else {
            self = .none
        }
    }

    /// Nil if `request` may run with this access, otherwise the `permission_denied` error. With
    /// no access nothing may run, whatever the request (nil: not even looked at). The peer's
    /// `uid` (nil: unknown) and the socket's group go into the message, so the user learns what
    /// is missing.
    public func denial(of request: QueryRequest?, uid: UInt32?, groupName: String) -> QueryError? {
        let peer = uid.map { "uid \($0)" } ?? "a peer whose credentials could not be read"
        switch self {
        case .admin:
            return nil
        case .read:
            guard let request, request.requiresAdmin else { return nil }
            return QueryError(
                .permissionDenied, "The command \"\(request.command.rawValue)\" needs root; \(peer) may only read.")
        case .none:
            return QueryError(
                .permissionDenied, "The query socket serves root and the group \(groupName), not \(peer).")
        }
    }
}
