import FileOpenCore

/// Key/value lines, optionally under section titles, like `systemctl status`: keys padded to one
/// column, numbers right-aligned to one width so counts line up, then an optional unit or note.
///
/// ```
/// records
///   open          1200
///   undecodable      0
/// ring buffer
///   size       4194304 bytes (4.0 MiB)
/// ```
public struct KeyValueBlock: Sendable {
    private enum Line: Sendable {
        case section(String)
        case number(key: String, value: String, suffix: String)
        case text(key: String, value: String)
    }

    private var entries: [Line] = []
    private var inSection = false

    /// An empty block.
    public init() {}

    /// Starts a section: its title on a line of its own, the entries after it indented.
    public mutating func section(_ title: String) {
        entries.append(.section(title))
        inSection = true
    }

    /// A number (already formatted, e.g. a counter's exact text) and what follows it.
    public mutating func number(_ key: String, _ value: String, suffix: String = "") {
        entries.append(.number(key: key, value: value, suffix: suffix))
    }

    /// An integer, in decimal.
    public mutating func number(_ key: String, _ value: some BinaryInteger, suffix: String = "") {
        number(key, String(value), suffix: suffix)
    }

    /// Free text, left-aligned where the numbers start.
    public mutating func text(_ key: String, _ value: String) {
        entries.append(.text(key: key, value: value))
    }

    /// The lines, aligned.
    public func lines() -> [String] {
        var keyWidth = 0, numberWidth = 0
        for entry in entries {
            switch entry {
            case .section: break
            case .number(let key, let value, _):
                keyWidth = max(keyWidth, TerminalText.displayWidth(key))
                numberWidth = max(numberWidth, TerminalText.displayWidth(value))
            case .text(let key, _):
                keyWidth = max(keyWidth, TerminalText.displayWidth(key))
            }
        }
        let indent = inSection ? "  " : ""
        return entries.map { entry in
            switch entry {
            case .section(let title):
                return title
            case .number(let key, let value, let suffix):
                let suffixText = suffix.isEmpty ? "" : " " + suffix
                return indent + TerminalText.padded(key, to: keyWidth) + "  "
                    + TerminalText.padded(value, to: numberWidth, alignRight: true) + suffixText
            case .text(let key, let value):
                return indent + TerminalText.padded(key, to: keyWidth) + "  " + value
            }
        }
    }
}
