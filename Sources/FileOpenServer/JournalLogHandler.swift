import CSystemd
public import Logging
#if canImport(Glibc)
import Glibc
#endif

/// A swift-log handler that writes native journal entries (`sd_journal_sendv(3)`) with a priority
/// and structured fields (`JournalFields`). Used when standard error is the journal's stream
/// (`JournalStream.isConnected()`); if journald cannot take an entry, the line goes to standard
/// error instead, which systemd still forwards, so nothing is lost.
public struct JournalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let identifier: String

    /// `identifier` is the SYSLOG_IDENTIFIER (`journalctl -t`).
    public init(label: String, identifier: String = "fileopend", level: Logger.Level = .info) {
        self.label = label
        self.identifier = identifier
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let fields = JournalFields(
            identifier: identifier, label: label, level: event.level, message: event.message.description,
            metadata: merged, file: event.file, function: event.function, line: event.line
        )
        if Self.send(fields) != 0 {
            let line = "\(identifier): \(event.level): \(event.message)\n"
            _ = line.withCString { write(STDERR_FILENO, $0, strlen($0)) }
        }
    }

    /// Sends the entry; 0, or the negative errno of `sd_journal_sendv(3)`. The fields are laid
    /// end to end in one buffer, each iovec pointing at its slice, so one allocation pins them all.
    static func send(_ fields: JournalFields) -> Int32 {
        let assignments = fields.assignments
        var joined = [UInt8]()
        joined.reserveCapacity(assignments.reduce(0) { $0 + $1.count })
        for assignment in assignments { joined += assignment }
        return joined.withUnsafeMutableBytes { bytes -> Int32 in
            guard let base = bytes.baseAddress else { return -EINVAL }
            var offset = 0
            let vectors = assignments.map { assignment -> iovec in
                defer { offset += assignment.count }
                return iovec(iov_base: base + offset, iov_len: assignment.count)
            }
            return sd_journal_sendv(vectors, Int32(vectors.count))
        }
    }
}
