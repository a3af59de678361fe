/// One named option or flag of fileopenctl's command line, as `CtlArguments` reads it and as its
/// usage errors quote it (`Help:  --limit <n>  How many processes to show, 1 to 1000.`).
public struct CtlOption: Sendable, Equatable {
    /// The spelling, with its dashes: `--limit`.
    public let name: String
    /// The placeholder of its value (`n` in `--limit <n>`); `nil` for a flag, which takes none.
    public let valueName: String?
    /// The one-line help, unwrapped.
    public let help: String

    /// A flag, or with `valueName` an option that takes one value.
    public init(_ name: String, value valueName: String? = nil, help: String) {
        self.name = name
        self.valueName = valueName
        self.help = help
    }

    /// Whether it takes a value.
    public var takesValue: Bool { valueName != nil }

    /// `--limit <n>`, or `--json` for a flag.
    public var synopsis: String { valueName.map { "\(name) <\($0)>" } ?? name }

    /// `--socket PATH` and `--json`: accepted before the subcommand and by every subcommand.
    public static let global = [
        CtlOption("--socket", value: "path", help: "The daemon's query socket."),
        CtlOption("--json", help: "Print the daemon's reply as JSON lines instead of tables."),
    ]
}
