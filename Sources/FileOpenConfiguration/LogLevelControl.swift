public import Logging
import Synchronization

/// The process-wide log level, changeable while the daemon runs (a reload of `log_level`).
/// Every `LiveLevelLogHandler` reads it on each log call, so loggers made before a change follow it.
public final class LogLevelControl: Sendable {
    private let level: Mutex<Logger.Level>

    /// Starts at `level`.
    public init(_ level: Logger.Level) {
        self.level = Mutex(level)
    }

    /// The current level.
    public var current: Logger.Level {
        get { level.withLock { $0 } }
        set { level.withLock { $0 = newValue } }
    }
}
