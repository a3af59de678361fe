/// How the kernel program found an open's resolved path (`resolution` in events and top paths;
/// `enum fileopend_resolution` in bpf/fileopend.h).
public enum PathResolution: UInt16, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    /// Not resolved, `none` in the JSON (a kernel without `bpf_loop`, an fd closed by another thread before the
    /// program read it, an unreadable name, a directory fd that is not open): only the path as
    /// passed is known.
    case unresolved = 0
    /// A successful open: the path of the file it opened, walked in the kernel from the new fd's
    /// `struct file` to the process's root (symlinks followed, mounts crossed).
    case file = 1
    /// A failed open: the directory its name is relative to (the dirfd's, the cwd, or the root),
    /// walked in the kernel, joined with the name as passed and normalised lexically
    /// (`LexicalPath`). Not verified by the kernel: `..` after a symlink may name another file.
    case lexical = 2

    /// `none`, `file` or `lexical`: the name in the JSON and the docs.
    public var description: String {
        switch self {
        case .unresolved: "none"
        case .file: "file"
        case .lexical: "lexical"
        }
    }

    /// The resolution named `name`, or nil.
    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = match
    }
}

extension PathResolution: Codable {
    /// By name; a name this side does not know (a newer daemon's) reads as `unresolved`.
    public init(from decoder: any Decoder) throws {
        self = Self(name: try decoder.singleValueContainer().decode(String.self)) ?? .unresolved
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
