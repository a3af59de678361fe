import FileOpenCore

/// fileopenctl's command-line parser: `fileopenctl [--socket PATH] [--json] SUBCOMMAND [OPTIONS]`,
/// read as swift-argument-parser read it when fileopenctl used it (it is not linked any more: it
/// brings FoundationEssentials, 7.5 MB; docs/binary-size.md), with the same messages:
///
/// - `--name value` and `--name=value`; the last of a repeated option counts; a value that starts
///   with `-` (other than `-` itself) is not taken as a value; after `--` every word is positional;
/// - `--socket` and `--json` before the subcommand or after it; `--help`, `-h` (also inside a
///   group of short options), `--version` and `--generate-completion-script [SHELL]` anywhere
///   before `--`; `help [SUBCOMMAND]`; no subcommand at all prints the help;
/// - errors in this order: a bad or missing value (as met), a missing `<pid>`, an unknown option
///   or unexpected argument (the first), then each command's own checks (`--limit must be …`).
///
/// Words are only compared and copied, and each is looked at a bounded number of times, so a
/// hostile command line costs time linear in its length. Echoed words are escaped for the
/// terminal (`TerminalText`).
public enum CtlArguments {
    /// Reads `arguments` (without the program name). `shellPath` is `$SHELL`, which picks the
    /// script of `--generate-completion-script` without a value.
    public static func parse(_ arguments: [String], shellPath: String? = nil) throws(CtlUsageError) -> CtlInvocation {
        let arguments = WatchArgument.expanded(arguments)
        let options = arguments.prefix { $0 != "--" }
        let position = subcommandPosition(arguments)
        let subcommand = position.flatMap { CtlSubcommand(rawValue: arguments[$0]) }

        if let shell = try completionRequest(options, shellPath: shellPath) { return .completionScript(shell) }
        if options.contains(where: isHelpFlag) { return .help(subcommand?.help ?? CtlSubcommand.rootHelpText) }
        if options.contains("--version") { return .version }
        var values = Values()
        if let position, arguments[position] == "help" {
            // Its words may hold the global options (read, then ignored) and nothing else of the kind.
            try read(arguments[..<position], for: nil, into: &values)
            try read(arguments[(position + 1)...], for: nil, aboutHelp: true, into: &values)
            if let unexpected = values.unexpected { throw unexpected }
            return .help(helpTopic(arguments[(position + 1)...]))
        }
        if let position, let subcommand {
            try read(arguments[..<position], for: nil, into: &values)
            try read(arguments[(position + 1)...], for: subcommand, into: &values)
        } else {
            try read(arguments[...], for: nil, into: &values)
        }
        if let missing = values.missingArgument(for: subcommand) { throw missing }
        if let unexpected = values.unexpected { throw unexpected }

        let socket = values.strings["--socket"] ?? DaemonConnection.defaultSocketPath
        if socket.isEmpty { throw CtlUsageError("--socket needs a path", subcommand: nil) }
        if socket.utf8.count > DaemonConnection.maximumPathBytes {
            throw CtlUsageError(
                "--socket path is \(socket.utf8.count) bytes; a Unix socket path has at most "
                    + "\(DaemonConnection.maximumPathBytes)",
                subcommand: nil
            )
        }
        guard let subcommand else { return .help(CtlSubcommand.rootHelpText) }
        return .run(try command(subcommand, values), socket: socket, json: values.flags.contains("--json"))
    }

    // MARK: - Built-in requests

    /// The index of the first word that is not an option or an option's value: the subcommand
    /// (or `help`, or a word that is neither, which reading the arguments then refuses).
    private static func subcommandPosition(_ arguments: [String]) -> Int? {
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            if word == "--" { return nil }
            if !isOption(word) { return index }
            let takesNext = CtlOption.global.contains { $0.name == word && $0.takesValue }
            index += takesNext && index + 1 < arguments.count && !isOption(arguments[index + 1]) ? 2 : 1
        }
        return nil
    }

    /// `--generate-completion-script[=SHELL]` or `… SHELL`, anywhere before `--`.
    private static func completionRequest(
        _ options: ArraySlice<String>, shellPath: String?
    ) throws(CtlUsageError) -> CompletionShell? {
        let name = "--generate-completion-script"
        guard let index = options.firstIndex(where: { $0 == name || $0.hasPrefix(name + "=") }) else { return nil }
        let word = options[index]
        var value: String?
        if word.count > name.count {
            value = String(word.dropFirst(name.count + 1))
        } else if index + 1 < options.endIndex, !isOption(options[index + 1]) {
            value = options[index + 1]
        }
        guard let value else { return CompletionShell.named(byShellPath: shellPath) }
        guard let shell = CompletionShell(rawValue: value) else {
            throw CtlUsageError(
                "Can't generate completion scripts for '\(TerminalText.escaped(value))'.\n"
                    + "Please use --generate-completion-script=<shell> with one of:\n    "
                    + CompletionShell.allCases.map(\.rawValue).joined(separator: " "),
                subcommand: nil
            )
        }
        return shell
    }

    /// `help`, `help top`, `help help`: the first word after `help` that is not an option names
    /// the topic; one that is no subcommand gets fileopenctl's own help.
    private static func helpTopic(_ words: ArraySlice<String>) -> String {
        guard let topic = words.first(where: { !isOption($0) }) else { return CtlSubcommand.rootHelpText }
        if topic == "help" { return CtlSubcommand.helpCommandHelpText }
        return CtlSubcommand(rawValue: topic)?.help ?? CtlSubcommand.rootHelpText
    }

    /// `--help`, or a group of short options with an `h` in it (`-h`, `-hx`).
    private static func isHelpFlag(_ word: String) -> Bool {
        if word == "--help" { return true }
        return isOption(word) && !word.hasPrefix("--") && word.utf8.contains(UInt8(ascii: "h"))
    }

    /// An option word: a dash and more (`-` alone is a value, as for many tools standard input).
    private static func isOption(_ word: String) -> Bool {
        word.utf8.count > 1 && word.utf8.first == UInt8(ascii: "-")
    }

    // MARK: - Options and arguments

    /// What the words say, before the commands' own checks.
    private struct Values {
        /// Each option's value, the last given counting.
        var strings: [String: String] = [:]
        var flags: Set<String> = []
        /// `proc`'s `<pid>`.
        var pid: Int32?
        /// The first unknown option or unexpected argument, thrown once every value is read.
        var unexpected: CtlUsageError?

        mutating func refuse(_ message: String, subcommand: CtlSubcommand?) {
            if unexpected == nil { unexpected = CtlUsageError(message, subcommand: subcommand) }
        }

        func missingArgument(for subcommand: CtlSubcommand?) -> CtlUsageError? {
            guard subcommand == .proc, pid == nil else { return nil }
            return CtlUsageError(
                "Missing expected argument '\(CtlSubcommand.pidArgument.name)'",
                help: CtlSubcommand.pidArgument.name + "  " + CtlSubcommand.pidArgument.help,
                subcommand: .proc
            )
        }
    }

    /// Reads the words before the subcommand (`subcommand` nil) or after it, or with `aboutHelp`
    /// after `help`, where any word but an option is a topic.
    private static func read(
        _ words: ArraySlice<String>, for subcommand: CtlSubcommand?, aboutHelp: Bool = false, into values: inout Values
    ) throws(CtlUsageError) {
        let known = CtlOption.global + (subcommand?.options ?? [])
        var index = words.startIndex
        var positionalOnly = false
        while index < words.endIndex {
            let word = words[index]
            index += 1
            if positionalOnly || !isOption(word) {
                if !aboutHelp { try readPositional(word, for: subcommand, into: &values) }
                continue
            }
            if word == "--" {
                positionalOnly = true
                continue
            }
            if word.hasPrefix("---") {
                throw CtlUsageError("Invalid option: \(TerminalText.escaped(word))", subcommand: nil)
            }
            let equals = word.hasPrefix("--") ? word.firstIndex(of: "=") : nil
            let name = String(word[..<(equals ?? word.endIndex)])
            let inline = equals.map { String(word[word.index(after: $0)...]) }
            guard let option = known.first(where: { $0.name == name }) else {
                let message = "Unknown option '\(TerminalText.escaped(name))'"
                if aboutHelp {
                    if values.unexpected == nil { values.unexpected = CtlUsageError(aboutHelp: message) }
                } else {
                    values.refuse(message, subcommand: subcommand)
                }
                continue
            }
            // A global option's value is fileopenctl's own: its errors show fileopenctl's usage.
            let usage = CtlOption.global.contains(option) ? nil : subcommand
            guard option.takesValue else {
                if let inline {
                    throw CtlUsageError(
                        "The option '\(name)' does not take any value, but '\(TerminalText.escaped(inline))' was specified.",
                        subcommand: usage
                    )
                }
                values.flags.insert(name)
                continue
            }
            let value: String
            if let inline, !inline.isEmpty {
                value = inline
            } else if inline == nil, index < words.endIndex, !isOption(words[index]) {
                value = words[index]
                index += 1
            } else {
                throw CtlUsageError("Missing value for '\(option.synopsis)'", help: helpLine(option), subcommand: usage)
            }
            try check(value, of: option, for: usage)
            values.strings[name] = value
        }
    }

    private static func readPositional(
        _ word: String, for subcommand: CtlSubcommand?, into values: inout Values
    ) throws(CtlUsageError) {
        guard subcommand == .proc, values.pid == nil else {
            values.refuse("Unexpected argument '\(TerminalText.escaped(word))'", subcommand: subcommand)
            return
        }
        guard let pid = Int32(word) else {
            throw CtlUsageError(
                "The value '\(TerminalText.escaped(word))' is invalid for '\(CtlSubcommand.pidArgument.name)'",
                help: CtlSubcommand.pidArgument.name + "  " + CtlSubcommand.pidArgument.help,
                subcommand: .proc
            )
        }
        values.pid = pid
    }

    /// Refuses a value its option's type cannot hold (not a number, not one of the names).
    private static func check(_ value: String, of option: CtlOption, for subcommand: CtlSubcommand?) throws(CtlUsageError) {
        let valid: Bool
        var choices = ""
        switch option.name {
        case "--by":
            valid = TopRanking(argument: value) != nil
            choices = ". Please provide one of the following:"
                + TopRanking.names.map { "\n  - " + $0 }.joined()
        case "--group":
            valid = TopGroup(rawValue: value) != nil
            let names = TopGroup.allCases.map { "'\($0.rawValue)'" }
            choices = ". Please provide one of " + names.dropLast().joined(separator: ", ") + " or " + names.last!
                + "."
        case "--limit": valid = Int(value) != nil
        case "--pid": valid = Int32(value) != nil
        case WatchArgument.name: valid = Double(value) != nil
        default: valid = true
        }
        guard !valid else { return }
        throw CtlUsageError(
            "The value '\(TerminalText.escaped(value))' is invalid for '\(option.synopsis)'\(choices)",
            help: helpLine(option), subcommand: subcommand
        )
    }

    /// `--limit <n>  How many processes to show, 1 to 1000.`
    private static func helpLine(_ option: CtlOption) -> String {
        option.synopsis + "  " + option.help
    }

    // MARK: - The commands' own checks

    private static func command(_ subcommand: CtlSubcommand, _ values: Values) throws(CtlUsageError) -> CtlCommand {
        func refuse(_ message: String) -> CtlUsageError { CtlUsageError(message, subcommand: subcommand) }
        switch subcommand {
        case .status:
            return .status
        case .reset:
            return .reset
        case .proc:
            let pid = values.pid ?? 0  // Present: missingArgument refused its absence.
            if pid < 1 { throw refuse("<pid> must be between 1 and \(Int32.max)") }
            return .proc(pid: pid)
        case .top:
            let by = values.strings["--by"].flatMap(TopRanking.init(argument:)) ?? .order(.opens)
            let group = values.strings["--group"].flatMap(TopGroup.init(rawValue:))
            let limit = values.strings["--limit"].flatMap { Int($0) } ?? 20
            let comm = values.strings["--comm"]
            let watch = values.strings[WatchArgument.name].flatMap { Double($0) }
            var order = TopOrder.opens
            if case .order(let named) = by { order = named }
            var ranked = group ?? .process
            if case .group(let named) = by {
                if let group, group != named {
                    throw refuse("--by \(named.rawValue) and --group \(group.rawValue) name two different things to rank")
                }
                ranked = named
            }
            if ranked != .process && order != .opens && order != .errors {
                throw refuse("--group \(ranked.rawValue) ranks by opens or errors: rates are kept per process")
            }
            if ranked != .process && comm != nil {
                throw refuse("--comm selects processes: it goes with --group process only")
            }
            if !QueryRequest.topLimits.contains(limit) { throw refuse("--limit must be between 1 and 1000") }
            if let watch, !(watch >= 0.1 && watch <= 86400) {
                throw refuse("--watch must be between 0.1 and 86400 seconds")
            }
            let request = QueryRequest.top(by: order, limit: limit, comm: comm, group: ranked)
            if !request.fitsLineLimit {
                throw refuse("--comm is too long: a request line is at most 4096 bytes")
            }
            return .top(request, watch: watch)
        case .tail:
            let pid = values.strings["--pid"].flatMap { Int32($0) }
            if let pid, pid < 1 { throw refuse("--pid must be between 1 and \(Int32.max)") }
            let request = QueryRequest.tail(TailFilter(
                pid: pid, comm: values.strings["--comm"], pathPrefix: values.strings["--path-prefix"],
                failedOnly: values.flags.contains("--failed"), unit: values.strings["--unit"]
            ))
            if !request.fitsLineLimit {
                throw refuse("--comm, --path-prefix or --unit is too long: a request line is at most 4096 bytes")
            }
            return .tail(request)
        }
    }
}
