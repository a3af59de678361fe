/// What a configuration is made from: the file, the environment, the flags.
public struct ConfigurationInputs: Sendable, Equatable {
    /// Where the file is looked for unless `--config` says otherwise.
    public static let defaultPath = "/etc/fileopend/fileopend.yaml"

    /// The file's path.
    public var path: String
    /// Whether the path was given (`--config`): then a missing file is an error; a missing file at
    /// the default path means "use the defaults", so the daemon runs without one.
    public var pathIsExplicit: Bool
    /// The process environment; only `FILEOPEND_*` names matter.
    public var environment: [String: String]
    /// The command-line flags.
    public var overrides: ConfigurationOverrides

    /// The inputs; by default the default path and no environment or flags.
    public init(
        path: String? = nil, environment: [String: String] = [:], overrides: ConfigurationOverrides = ConfigurationOverrides()
    ) {
        self.path = path ?? Self.defaultPath
        self.pathIsExplicit = path != nil
        self.environment = environment
        self.overrides = overrides
    }
}
