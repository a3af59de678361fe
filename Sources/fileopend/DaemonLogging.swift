import FileOpenServer
import Logging

/// The daemon's log handler: native journal entries with priorities and structured fields when
/// standard error is systemd's journal stream (`JournalStream`), readable lines on standard error
/// otherwise (a terminal, a pipe, a test). Decided once, at bootstrap.
enum DaemonLogging {
    /// Whether entries go to the journal (standard error is `$JOURNAL_STREAM`).
    static let usesJournal = JournalStream.isConnected()

    /// The handler for `LoggingSystem.bootstrap`; its level is left to `LiveLevelLogHandler`.
    static func makeHandler(label: String) -> any LogHandler {
        usesJournal
            ? JournalLogHandler(label: label, identifier: "fileopend")
            : StreamLogHandler.standardError(label: label)
    }
}
