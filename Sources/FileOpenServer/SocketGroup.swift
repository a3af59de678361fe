#if canImport(Glibc)
import Glibc
#endif

/// A group of the system's group database (/etc/group, NSS), for the query socket's file group.
struct SocketGroup: Sendable, Equatable {
    let name: String
    let id: UInt32

    /// `getgrnam_r(3)`: the group called `name`, or nil if there is none. Throws if the lookup
    /// itself fails (an NSS backend error), which is not the same as "no such group".
    static func named(_ name: String) throws(ServerError) -> SocketGroup? {
        try lookUp("getgrnam_r(\(name))") { group, buffer, result in
            getgrnam_r(name, &group, buffer.baseAddress, buffer.count, &result)
        }
    }

    /// `getgrgid_r(3)`: the group with `id`, or nil if it has no name.
    static func withID(_ id: UInt32) -> SocketGroup? {
        try? lookUp("getgrgid_r(\(id))") { group, buffer, result in
            getgrgid_r(id, &group, buffer.baseAddress, buffer.count, &result)
        }
    }

    /// Runs a reentrant lookup with a buffer that grows on ERANGE (up to 1 MiB: huge groups exist).
    private static func lookUp(
        _ operation: String,
        _ call: (inout group, UnsafeMutableBufferPointer<CChar>, inout UnsafeMutablePointer<group>?) -> Int32
    ) throws(ServerError) -> SocketGroup? {
        var size = 4096
        while true {
            var entry = group()
            var result: UnsafeMutablePointer<group>?
            let error = withUnsafeTemporaryAllocation(of: CChar.self, capacity: size) { buffer in
                let error = call(&entry, buffer, &result)
                // The name points into the buffer: copy it while the buffer lives.
                return (error, result == nil || entry.gr_name == nil ? nil : String(cString: entry.gr_name))
            }
            if error.0 == ERANGE, size < 1 << 20 {
                size *= 4
                continue
            }
            guard error.0 == 0 else { throw .callFailed(operation: operation, errno: error.0) }
            guard let name = error.1 else { return nil }
            return SocketGroup(name: name, id: entry.gr_gid)
        }
    }
}
