/// A way of opening a file the probe watches: the open system calls (open, openat, openat2,
/// creat), a request submitted to an io_uring ring, or `open_by_handle_at(2)`. Which of them an
/// attach mode covers is in `status` and `fileopen_open_api_covered`.
public enum OpenAPI: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    case syscall
    case ioUring = "io_uring"
    case openByHandleAt = "open_by_handle_at"

    /// The name used in metrics labels and in `status`.
    public var description: String { rawValue }
}
