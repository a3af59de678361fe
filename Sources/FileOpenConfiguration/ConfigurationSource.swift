/// Where a setting's value came from, for error messages and `--check-config`.
public enum ConfigurationSource: Sendable, Equatable, CustomStringConvertible {
    /// Nothing set it: the built-in default.
    case defaultValue
    /// The configuration file at this path.
    case file(String)
    /// This environment variable.
    case environment(String)
    /// This command-line flag.
    case flag(String)

    /// How a message names it after "in"/"from": `/etc/fileopend/fileopend.yaml`,
    /// `environment variable FILEOPEND_RETENTION`, `--retention`.
    public var description: String {
        switch self {
        case .defaultValue: "the default"
        case .file(let path): path
        case .environment(let name): "environment variable \(name)"
        case .flag(let flag): flag
        }
    }

    /// The preposition that reads right before `description`.
    var preposition: String {
        switch self {
        case .flag: "from"
        default: "in"
        }
    }

    /// A short label for `--check-config`: `file`, `env FILEOPEND_RETENTION`, `flag --retention`, `default`.
    public var label: String {
        switch self {
        case .defaultValue: "default"
        case .file: "file"
        case .environment(let name): "env \(name)"
        case .flag(let flag): "flag \(flag)"
        }
    }
}
