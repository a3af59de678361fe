/// Makes text from the kernel or the daemon (command names, paths, error messages) safe to print
/// for people: `fileopend --print`, every `fileopenctl` table and message. Nothing in a name can
/// end a line, move the cursor, recolour the terminal or reorder the text. The one way to do it.
public enum TerminalText {
    /// `value` with a backslash doubled (so an escape below, or the `\xNN` that stands for an
    /// invalid UTF-8 byte in a kernel string, is never ambiguous), `\n` and `\t` as written here,
    /// other C0 controls and DEL as `\xNN`, and what terminals act on beyond those as `\u{XXXX}`:
    /// C1 controls (U+0080–U+009F; U+009B is CSI, U+0085 a line break, on some terminals), the
    /// bidirectional controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) and the line
    /// and paragraph separators (U+2028, U+2029). Everything else is kept as it is.
    public static func escaped(_ value: String) -> String {
        // The common case, printable ASCII, in one pass over the bytes and without a copy.
        guard value.utf8.contains(where: { $0 < 0x20 || $0 >= 0x7F || $0 == UInt8(ascii: "\\") }),
            value.unicodeScalars.contains(where: needsEscape)
        else { return value }
        var out = ""
        out.reserveCapacity(value.utf8.count + 16)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                out += scalar.value < 0x10 ? "\\x0" : "\\x"
                out += String(scalar.value, radix: 16)
            case _ where isUnsafeFormatScalar(scalar):
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || scalar.value == 0x7F || scalar == "\\" || isUnsafeFormatScalar(scalar)
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
