#if canImport(Glibc)
import Glibc
#endif

/// Whole buffers to a descriptor with `write(2)`, for standard output and error: what
/// `FileHandle.write(contentsOf:)` did, without linking corelibs Foundation (docs/binary-size.md).
public enum DescriptorWriter {
    /// Writes all of `bytes` to `descriptor` (`write(2)`), again after EINTR and after a partial
    /// write. Returns nil when everything was written, else the errno of the failed `write(2)`
    /// (EPIPE when the reader went away: SIGPIPE is ignored by the daemon).
    public static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if count < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += count
        }
        return nil
    }
}
