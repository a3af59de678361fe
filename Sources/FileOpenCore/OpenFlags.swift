/// The `O_*` flags of an open, as passed by the caller.
public struct OpenFlags: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// How the file is opened: the `O_ACCMODE` bits.
    public enum AccessMode: String, Sendable, CaseIterable {
        case read, write, readWrite = "read_write"
    }

    /// `O_RDONLY`, `O_WRONLY` or `O_RDWR` (the invalid value 3 counts as read-write, as Linux does).
    public var accessMode: AccessMode {
        switch rawValue & 0o3 {
        case 0: .read
        case 1: .write
        default: .readWrite
        }
    }

    /// Whether `O_CREAT` is set (creat(2) always sets it).
    public var creates: Bool { rawValue & 0o100 != 0 }
}
