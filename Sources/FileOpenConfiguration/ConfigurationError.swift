/// Why a configuration was refused. Each is one line naming the key (or the file), the value and
/// what is allowed; the daemon prints it after `fileopend: ` and exits with `exitCode`.
public enum ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be read (missing when given with `--config`, unreadable, a directory).
    case unreadableFile(path: String, reason: String)
    /// The file is not valid YAML.
    case malformedYAML(path: String, line: Int?, column: Int?, problem: String)
    /// The file's top level is not a mapping of keys.
    case notAMapping(path: String, found: String)
    /// A key of the file is not one of `ConfigurationKey`.
    case unknownKey(String, source: ConfigurationSource, suggestion: String?)
    /// The same key twice in the file.
    case duplicateKey(String, path: String)
    /// A value of the wrong kind (a list where a number belongs, text where a number belongs, …).
    case wrongType(key: ConfigurationKey, value: String, found: String, source: ConfigurationSource, allowed: String)
    /// A value of the right kind outside what is allowed.
    case invalidValue(key: ConfigurationKey, value: String, problem: String, source: ConfigurationSource, allowed: String)
    /// The web configuration file (`web_config_file`) is refused: an unknown or unsupported key, a
    /// bad value, a certificate or key that does not load.
    case invalidWebConfiguration(path: String, problem: String)

    /// EX_CONFIG from sysexits.h, for every configuration error.
    public static let exitCode: Int32 = 78

    /// The one-line message: values are quoted as written, cut to `maximumQuotedLength`, and any
    /// control character (a multi-line YAML value, found by the fuzz target) escaped.
    public var description: String {
        var line = ""
        for scalar in message.unicodeScalars {
            switch scalar {
            case "\n": line += "\\n"
            case "\t": line += "\\t"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value):
                line += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            default: line.unicodeScalars.append(scalar)
            }
        }
        return line
    }

    /// How much of a value a message quotes.
    static let maximumQuotedLength = 80

    /// `value`, or its beginning and "…" when it is longer than a message should quote.
    static func cut(_ value: String) -> String {
        value.count <= maximumQuotedLength ? value : value.prefix(maximumQuotedLength) + "…"
    }

    private var message: String {
        switch self {
        case .unreadableFile(let path, let reason):
            return "cannot read configuration file \(path): \(reason)"
        case .malformedYAML(let path, let line, let column, let problem):
            let place = line.map { line in " at line \(line)" + (column.map { ", column \($0)" } ?? "") } ?? ""
            return "malformed YAML in \(path)\(place): \(problem)"
        case .notAMapping(let path, let found):
            return "\(path) must be a mapping of 'key: value' lines, not \(found)"
        case .unknownKey(let key, let source, let suggestion):
            let hint = suggestion.map { " (did you mean '\($0)'?)" }
                ?? "; known keys: " + ConfigurationKey.allCases.map(\.rawValue).joined(separator: ", ")
            if case .environment = source {
                return "unknown \(source)" + (suggestion.map { " (did you mean \($0)?)" } ?? "")
            }
            return "unknown key '\(Self.cut(key))' \(source.preposition) \(source)\(hint)"
        case .duplicateKey(let key, let path):
            return "duplicate key '\(Self.cut(key))' in \(path)"
        case .wrongType(let key, let value, let found, let source, let allowed):
            return "invalid \(key) '\(Self.cut(value))' \(source.preposition) \(source): \(found); allowed: \(allowed)"
        case .invalidValue(let key, let value, let problem, let source, let allowed):
            return "invalid \(key) '\(Self.cut(value))' \(source.preposition) \(source): \(problem); allowed: \(allowed)"
        case .invalidWebConfiguration(let path, let problem):
            return "invalid web configuration file \(path): \(problem)"
        }
    }
}
