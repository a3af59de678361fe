public import Logging

/// The fields of one journal entry for a swift-log record, in the order they are sent: MESSAGE,
/// PRIORITY (syslog's 0–7), SYSLOG_IDENTIFIER, CODE_FILE/CODE_LINE/CODE_FUNC, LOGGER (the label),
/// then each metadata key upper-cased (`errno` → ERRNO, `pid` → PID, `comm` → COMM), so that
/// `journalctl -u fileopend ERRNO=13` or `-o verbose` finds what a line is about.
public struct JournalFields: Equatable, Sendable {
    /// The field names the entry sets itself; a metadata key that maps onto one gets `META_` before it.
    public static let reservedNames: Set<String> = [
        "MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "CODE_FILE", "CODE_LINE", "CODE_FUNC", "LOGGER",
    ]

    /// `NAME=value` pairs, in order.
    public private(set) var fields: [(name: String, value: String)]

    public init(
        identifier: String, label: String, level: Logger.Level, message: String, metadata: Logger.Metadata,
        file: String, function: String, line: UInt
    ) {
        fields = [
            ("MESSAGE", message),
            ("PRIORITY", String(Self.priority(of: level))),
            ("SYSLOG_IDENTIFIER", identifier),
            ("CODE_FILE", file),
            ("CODE_LINE", String(line)),
            ("CODE_FUNC", function),
            ("LOGGER", label),
        ]
        for key in metadata.keys.sorted() {
            guard let value = metadata[key], var name = Self.fieldName(key) else { continue }
            if Self.reservedNames.contains(name) { name = "META_" + name }
            fields.append((name, Self.text(value)))
        }
    }

    public static func == (lhs: JournalFields, rhs: JournalFields) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }

    /// Each field as the `NAME=value` bytes `sd_journal_sendv(3)` takes (values may hold newlines).
    public var assignments: [[UInt8]] {
        fields.map { Array("\($0.name)=\($0.value)".utf8) }
    }

    /// syslog priorities: trace and debug 7, info 6, notice 5, warning 4, error 3, critical 2.
    public static func priority(of level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// A journal field name for a metadata key: upper-case letters, digits and `_`, not starting
    /// with `_` (those are the journal's trusted fields) or a digit, at most 64 bytes; nil if
    /// nothing is left.
    public static func fieldName(_ key: String) -> String? {
        var name = String(key.uppercased().unicodeScalars.map { scalar -> Character in
            ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) ? Character(scalar) : "_"
        })
        while let first = name.first, first == "_" || first.isNumber { name.removeFirst() }
        guard !name.isEmpty else { return nil }
        return String(name.prefix(64))
    }

    /// A metadata value as text: strings as they are, lists and dictionaries as swift-log prints them.
    static func text(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        case .array, .dictionary: value.description
        }
    }
}
