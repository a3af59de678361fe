import CFileOpend
import CSystemd
import FileOpenSystem
#if canImport(Glibc)
import Glibc
#endif

/// The listening sockets the service manager passed (socket activation: `$LISTEN_FDS`,
/// `$LISTEN_FDNAMES`), grouped by the socket units' `FileDescriptorName=` (`metrics`, `query`).
/// `FileDescriptorName=` names every socket of a unit alike, so the two endpoints come from two
/// units; a descriptor under any other name (systemd's default is the unit's name, or `unknown`)
/// is grouped by its kind instead — a TCP socket under `metrics`, a Unix stream socket under
/// `query` — so one unit listing both endpoints without names works too.
public struct InheritedSockets: Sendable {
    /// The name for the /metrics listeners (`FileDescriptorName=metrics`).
    public static let metricsName = "metrics"
    /// The name for the query socket (`FileDescriptorName=query`).
    public static let queryName = "query"

    /// Descriptors by name, in the order systemd passed them.
    public private(set) var descriptors: [String: [Int32]]

    public init(descriptors: [String: [Int32]] = [:]) {
        self.descriptors = descriptors
    }

    /// Takes the passed descriptors with `sd_listen_fds_with_names(3)`, which checks `$LISTEN_PID`
    /// and unsets the variables so that no child of ours mistakes them for its own. Empty when
    /// nothing was passed.
    public static func take() throws(ServerError) -> InheritedSockets {
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        let count = sd_listen_fds_with_names(1, &names)
        if count < 0 { throw .callFailed(operation: "sd_listen_fds_with_names", errno: -count) }
        defer {
            // The array and each string are malloc'ed for us.
            if let names {
                for index in 0..<Int(count) { free(names[index]) }
                free(names)
            }
        }
        var found = InheritedSockets()
        for index in 0..<count {
            let fd = SD_LISTEN_FDS_START + index
            let given = names?[Int(index)].map { String(cString: $0) } ?? "unknown"
            let known = given == metricsName || given == queryName
            found.descriptors[known ? given : kind(of: fd), default: []].append(fd)
        }
        return found
    }

    /// `metrics` for an IPv4/IPv6 listening stream socket, `query` for a Unix one, else `unknown`
    /// (`sd_is_socket_inet(3)`, `sd_is_socket_unix(3)`).
    static func kind(of fd: Int32) -> String {
        if sd_is_socket_inet(fd, AF_UNSPEC, Int32(SOCK_STREAM.rawValue), 1, 0) > 0 { return metricsName }
        if sd_is_socket_unix(fd, Int32(SOCK_STREAM.rawValue), 1, nil, 0) > 0 { return queryName }
        return "unknown"
    }

    /// Removes and returns the descriptors named `name` (empty if none): each is then the caller's.
    public mutating func claim(_ name: String) -> [Int32] {
        descriptors.removeValue(forKey: name) ?? []
    }

    /// Whether nothing was passed (or everything was claimed).
    public var isEmpty: Bool { descriptors.isEmpty }

    /// Closes (`close(2)`) every descriptor not claimed and returns their names, for one log line:
    /// a socket we do not serve must not keep accepting connections nobody answers.
    public mutating func closeUnclaimed() -> [String] {
        let left = descriptors
        descriptors = [:]
        for fd in left.values.joined() { OwnedDescriptor(fd).close() }
        return left.keys.sorted()
    }
}
