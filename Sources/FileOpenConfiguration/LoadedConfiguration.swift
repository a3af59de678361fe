public import FileOpenServer

/// A validated configuration and where it came from.
public struct LoadedConfiguration: Sendable, Equatable {
    /// The effective settings.
    public var configuration: DaemonConfiguration
    /// The file that was read; nil when there was none at the default path.
    public var filePath: String?
    /// The web configuration file's settings (`web_config_file`), loaded and checked; the default
    /// (plain HTTP) without one.
    public var webSecurity = WebSecurity()

    /// Wraps a configuration.
    public init(configuration: DaemonConfiguration, filePath: String?) {
        self.configuration = configuration
        self.filePath = filePath
    }
}
