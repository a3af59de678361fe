import FileOpenCore

/// Makes text from the daemon (command names, paths, error messages) safe to print in a table:
/// nothing in a name can end a line, move the cursor, recolour the terminal or reorder the text.
public enum TerminalText {
    /// `EventLineFormatter.escapedForTerminal` (C0 controls and DEL as `\n`, `\t`, `\xNN`,
    /// backslash doubled, as `fileopend --print` shows them), plus what it lets through that a
    /// terminal still acts on: C1 controls (U+0080–U+009F; U+009B is CSI on some terminals) and
    /// the bidirectional and line-separator format characters, written as `\u{XXXX}`.
    public static func escaped(_ value: String) -> String {
        let escaped = EventLineFormatter.escapedForTerminal(value)
        guard escaped.unicodeScalars.contains(where: isUnsafeFormatScalar) else { return escaped }
        var out = ""
        for scalar in escaped.unicodeScalars {
            if isUnsafeFormatScalar(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func isUnsafeFormatScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x80...0x9F, 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// Columns `value` takes in a terminal, approximately as wcwidth(3) counts them: combining
    /// marks and format characters 0, East Asian wide and fullwidth characters and emoji 2, the
    /// rest 1. (Approximate is enough to keep the columns of a table aligned for real names.)
    public static func displayWidth(_ value: String) -> Int {
        var width = 0
        for scalar in value.unicodeScalars {
            width += scalarWidth(scalar)
        }
        return width
    }

    private static func scalarWidth(_ scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value < 0x300 { return 1 }  // ASCII and Latin: the common case, decided at once.
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        switch value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
            0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }

    /// `value` padded with spaces to `width` columns, on the right (`alignRight` false) or the left.
    public static func padded(_ value: String, to width: Int, alignRight: Bool = false) -> String {
        let missing = width - displayWidth(value)
        guard missing > 0 else { return value }
        let fill = String(repeating: " ", count: missing)
        return alignRight ? fill + value : value + fill
    }
}
