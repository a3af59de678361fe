/// fileopenctl's subcommands: what each accepts and how its usage and help read.
public enum CtlSubcommand: String, CaseIterable, Sendable {
    case status
    case top
    case proc
    case tail
    case reset

    /// The usage line without a subcommand, as usage errors before one quote it.
    public static let rootUsage = "fileopenctl [--socket <path>] [--json] <subcommand>"

    /// The options it accepts besides `CtlOption.global`, in the order the help lists them.
    public var options: [CtlOption] {
        switch self {
        case .status, .proc, .reset:
            return []
        case .top:
            return [
                CtlOption(
                    "--by", value: "order",
                    help: "What to rank by: lifetime counts or rates; or unit, comm or process (the same as --group)."),
                CtlOption("--group", value: "group", help: "What to rank: process (default), comm or unit."),
                CtlOption("--limit", value: "n", help: "How many processes to show, 1 to 1000."),
                CtlOption("--comm", value: "name", help: "Only processes with this command name (exact match)."),
                CtlOption(WatchArgument.name, value: "seconds", help: "Redraw every SECONDS (default 2) until Ctrl-C."),
            ]
        case .tail:
            return [
                CtlOption("--pid", value: "pid", help: "Only opens by this process id."),
                CtlOption("--comm", value: "name", help: "Only opens by this command name (exact match)."),
                CtlOption(
                    "--path-prefix", value: "prefix",
                    help: "Only opens whose path as passed, or as resolved, starts with this text."),
                CtlOption("--failed", help: "Only failed opens."),
                CtlOption("--unit", value: "name", help: "Only opens in this unit (as the unit label of the metrics)."),
            ]
        }
    }

    /// `<pid>` for `proc`, its one positional argument, and its help.
    public static let pidArgument = (name: "<pid>", help: "The process id (its tgid).")

    /// `fileopenctl top [--socket <path>] [--json] [--by <order>] …`.
    public var usage: String {
        var parts = ["fileopenctl", rawValue] + (CtlOption.global + options).map { "[\($0.synopsis)]" }
        if self == .proc { parts.append(Self.pidArgument.name) }
        return parts.joined(separator: " ")
    }

    /// What `fileopenctl SUBCOMMAND --help` prints.
    public var help: String {
        switch self {
        case .status: Self.statusHelp
        case .top: Self.topHelp
        case .proc: Self.procHelp
        case .tail: Self.tailHelp
        case .reset: Self.resetHelp
        }
    }

    /// What `fileopenctl --help` prints.
    public static var rootHelpText: String { rootHelp }

    /// What `fileopenctl help help` prints.
    public static var helpCommandHelpText: String { helpHelp }
}
