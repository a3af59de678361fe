internal import CLibbpf

/// The libbpf this process runs on.
public enum BPFLibraryVersion {
    /// libbpf's version, e.g. "v1.1" (`libbpf_version_string()`).
    public static var current: String { String(cString: libbpf_version_string()) }
}
