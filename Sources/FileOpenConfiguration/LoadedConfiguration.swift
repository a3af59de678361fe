/// A validated configuration and where it came from.
public struct LoadedConfiguration: Sendable, Equatable {
    /// The effective settings.
    public var configuration: DaemonConfiguration
    /// The file that was read; nil when there was none at the default path.
    public var filePath: String?

    /// Wraps a configuration.
    public init(configuration: DaemonConfiguration, filePath: String?) {
        self.configuration = configuration
        self.filePath = filePath
    }
}
