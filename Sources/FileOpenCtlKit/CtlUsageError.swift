/// A command line fileopenctl cannot run: printed on standard error, exit status 2. The text is
/// the one swift-argument-parser printed when fileopenctl used it:
///
///     Error: --limit must be between 1 and 1000
///     Usage: fileopenctl top [--socket <path>] [--json] [--by <order>] …
///       See 'fileopenctl top --help' for more information.
public struct CtlUsageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong, after `Error: `.
    public let message: String
    /// For a bad or missing value, the argument's help line: `--limit <n>  How many processes …`.
    public let help: String?
    /// The subcommand whose usage is shown; `nil` for fileopenctl's own, or for `help`'s.
    public let subcommand: CtlSubcommand?
    /// Whether it is about the words after `help` (whose usage is `help [<subcommands> ...]`).
    public let isAboutHelp: Bool

    /// An error about `subcommand`'s command line (`nil`: before any subcommand).
    public init(_ message: String, help: String? = nil, subcommand: CtlSubcommand?) {
        self.message = message
        self.help = help
        self.subcommand = subcommand
        self.isAboutHelp = false
    }

    /// An error about the words after `help`: an option it does not know.
    public init(aboutHelp message: String) {
        self.message = message
        self.help = nil
        self.subcommand = nil
        self.isAboutHelp = true
    }

    /// The lines to print, without a final newline.
    public var description: String {
        var lines = ["Error: " + message]
        if let help { lines.append("Help:  " + help) }
        if isAboutHelp {
            lines.append("Usage: fileopenctl help [<subcommands> ...]")
        } else {
            lines.append("Usage: " + (subcommand?.usage ?? CtlSubcommand.rootUsage))
            lines.append("  See 'fileopenctl \(subcommand.map { $0.rawValue + " " } ?? "")--help' for more information.")
        }
        return lines.joined(separator: "\n")
    }
}
