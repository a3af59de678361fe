import Configuration
public import FileOpenCore
public import Logging

/// The settings given as command-line flags: each one overrides the file and the environment.
/// Nil (or an empty list) means the flag was not given.
public struct ConfigurationOverrides: Sendable, Equatable {
    /// `--listen` (repeatable).
    public var listen: [String] = []
    /// `--socket`.
    public var socket: String?
    /// `--socket-group`.
    public var socketGroup: String?
    /// `--mode`.
    public var attachMode: AttachMode?
    /// `--detail-level`.
    public var detailLevel: DetailLevel?
    /// `--ring-buffer-size`.
    public var ringBufferSize: Int?
    /// `--drain-interval`.
    public var drainInterval: Int?
    /// `--retention`.
    public var retention: Int?
    /// `--max-processes`.
    public var maxProcesses: Int?
    /// `--max-comms`.
    public var maxComms: Int?
    /// `--max-top-paths-processes`.
    public var maxTopPathsProcesses: Int?
    /// `--rate-window`.
    public var rateWindow: Int?
    /// `--log-level`.
    public var logLevel: Logger.Level?

    /// No overrides.
    public init() {}

    /// The given flags as swift-configuration values, keyed like the file.
    var values: [ConfigurationKey: ConfigContent] {
        var values: [ConfigurationKey: ConfigContent] = [:]
        if !listen.isEmpty { values[.listen] = .stringArray(listen) }
        values[.socket] = socket.map(ConfigContent.string)
        values[.socketGroup] = socketGroup.map(ConfigContent.string)
        values[.attachMode] = attachMode.map { .string($0.rawValue) }
        values[.detailLevel] = detailLevel.map { .string($0.rawValue) }
        values[.ringBufferSize] = ringBufferSize.map(ConfigContent.int)
        values[.drainInterval] = drainInterval.map(ConfigContent.int)
        values[.retention] = retention.map(ConfigContent.int)
        values[.maxProcesses] = maxProcesses.map(ConfigContent.int)
        values[.maxComms] = maxComms.map(ConfigContent.int)
        values[.maxTopPathsProcesses] = maxTopPathsProcesses.map(ConfigContent.int)
        values[.rateWindow] = rateWindow.map(ConfigContent.int)
        values[.logLevel] = logLevel.map { .string($0.rawValue) }
        return values
    }

    /// The flags as a provider, the highest in precedence.
    var provider: InMemoryProvider {
        InMemoryProvider(
            name: "flags",
            values: Dictionary(uniqueKeysWithValues: values.map { key, content in
                (AbsoluteConfigKey([key.rawValue]), ConfigValue(content, isSecret: false))
            })
        )
    }
}
