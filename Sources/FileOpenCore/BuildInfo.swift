/// What the daemon is built from: its version and the libbpf it runs on (`fileopen_build_info`).
public struct BuildInfo: ComponentStatistics, Equatable {
    public var version: String
    public var libbpfVersion: String

    public init(version: String = FileOpenVersion.current, libbpfVersion: String) {
        self.version = version
        self.libbpfVersion = libbpfVersion
    }

    public func writeMetrics(into writer: inout ExpositionWriter) {
        writer.family("fileopen_build", .info, help: "fileopend's version and the libbpf it runs on.")
        writer.sample(["version": version, "libbpf_version": libbpfVersion], UInt64(1))
    }
}
