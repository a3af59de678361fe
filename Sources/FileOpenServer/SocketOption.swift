#if canImport(Glibc)
import Glibc
#endif

/// Integer socket options (`SOL_SOCKET` unless said), for the listening sockets' set-up and checks.
enum SocketOption {
    /// `setsockopt(2)`; `name` is the option's name for the error.
    static func set(_ fd: Int32, _ level: Int32, _ option: Int32, _ value: Int32, name: String) throws(ServerError) {
        var value = value
        guard setsockopt(fd, level, option, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw .failed("setsockopt(\(name))")
        }
    }

    /// `getsockopt(2)` at `SOL_SOCKET`; throws `.callFailed` (ENOTSOCK for a descriptor that is
    /// not a socket, which callers turn into their own "not a socket" error).
    static func get(_ fd: Int32, _ option: Int32, name: String) throws(ServerError) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, option, &value, &length) == 0 else {
            throw .failed("getsockopt(\(fd), \(name))")
        }
        return value
    }
}
