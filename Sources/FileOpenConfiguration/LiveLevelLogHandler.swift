public import Logging

/// Wraps any `LogHandler` (a terminal stream, the journal) so that its level is the shared
/// `LogLevelControl`'s: `Logger` copies its handler by value, so a level stored in the handler
/// could not be changed by a reload for the loggers already handed out.
public struct LiveLevelLogHandler: LogHandler {
    /// The handler that writes.
    public var wrapped: any LogHandler
    /// Where the level lives.
    public let control: LogLevelControl

    /// Wraps `wrapped`; its own level is ignored.
    public init(_ wrapped: any LogHandler, control: LogLevelControl) {
        self.wrapped = wrapped
        self.control = control
    }

    /// The shared level. Setting it through one logger sets it for all, which is what a
    /// daemon-wide `log_level` means.
    public var logLevel: Logger.Level {
        get { control.current }
        set { control.current = newValue }
    }

    /// The wrapped handler's metadata provider.
    public var metadataProvider: Logger.MetadataProvider? {
        get { wrapped.metadataProvider }
        set { wrapped.metadataProvider = newValue }
    }

    /// The wrapped handler's metadata.
    public var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue }
    }

    /// The wrapped handler's metadata entry.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue }
    }

    /// Passes the event on; `Logger` has already compared its level with `logLevel`.
    public func log(event: LogEvent) {
        wrapped.log(event: event)
    }
}
