import FileOpenCore
import FileOpenCtlKit
import Testing

/// fileopenctl's own command-line parser reads what swift-argument-parser read, and refuses what
/// it refused with the same messages (CtlBinaryTests runs the binary; this checks the parser).
@Suite("CtlArguments: fileopenctl's command line")
struct CtlArgumentsTests {
    static let topUsage =
        "fileopenctl top [--socket <path>] [--json] [--by <order>] [--group <group>] [--limit <n>] [--comm <name>] [--watch <seconds>]"

    static func parse(_ words: String...) throws(CtlUsageError) -> CtlInvocation {
        try CtlArguments.parse(words)
    }

    static func refusal(_ words: [String]) -> CtlUsageError? {
        do {
            _ = try CtlArguments.parse(words)
            return nil
        } catch {
            return error
        }
    }

    static func top(by order: TopOrder = .opens, limit: Int = 20, comm: String? = nil, group: TopGroup = .process) -> QueryRequest {
        .top(by: order, limit: limit, comm: comm, group: group)
    }

    @Test("Subcommands, their options as --name value and --name=value, globals before or after")
    func commands() throws {
        let socket = DaemonConnection.defaultSocketPath
        #expect(try Self.parse("status") == .run(.status, socket: socket, json: false))
        #expect(try Self.parse("--json", "reset", "--socket", "/s") == .run(.reset, socket: "/s", json: true))
        #expect(try Self.parse("proc", "--json", "42") == .run(.proc(pid: 42), socket: socket, json: true))
        #expect(try Self.parse("proc", "--", "7") == .run(.proc(pid: 7), socket: socket, json: false))
        #expect(
            try Self.parse("top", "--by=errors-rate", "--limit", "+5", "--comm", "-", "--watch")
                == .run(.top(Self.top(by: .errorsRate, limit: 5, comm: "-"), watch: 2), socket: socket, json: false))
        #expect(
            try Self.parse("top", "--by", "unit") == .run(.top(Self.top(group: .unit), watch: nil), socket: socket, json: false))
        #expect(
            try Self.parse("tail", "--failed", "--pid", "3", "--path-prefix=/etc", "--unit", "ssh.service")
                == .run(
                    .tail(.tail(TailFilter(pid: 3, pathPrefix: "/etc", failedOnly: true, unit: "ssh.service"))),
                    socket: socket, json: false))
    }

    @Test("A repeated option: the last counts, before or after the subcommand")
    func repeated() throws {
        #expect(
            try Self.parse("--socket", "/a", "top", "--limit", "1", "--limit", "2", "--socket=/b", "--json", "--json")
                == .run(.top(Self.top(limit: 2), watch: nil), socket: "/b", json: true))
    }

    @Test("Help, version and completion scripts, wherever they are asked for before --")
    func builtIns() throws {
        #expect(try Self.parse() == .help(CtlSubcommand.rootHelpText))
        #expect(try Self.parse("--socket", "/x") == .help(CtlSubcommand.rootHelpText))
        #expect(try Self.parse("top", "--bogus", "--help") == .help(CtlSubcommand.top.help))
        #expect(try Self.parse("proc", "5", "-h") == .help(CtlSubcommand.proc.help))
        #expect(try Self.parse("help", "tail") == .help(CtlSubcommand.tail.help))
        #expect(try Self.parse("help", "bogus") == .help(CtlSubcommand.rootHelpText))
        #expect(try Self.parse("help", "help") == .help(CtlSubcommand.helpCommandHelpText))
        #expect(try Self.parse("top", "--limit", "5", "--version") == .version)
        #expect(try Self.parse("--generate-completion-script", "fish") == .completionScript(.fish))
        #expect(try Self.parse("--generate-completion-script=zsh") == .completionScript(.zsh))
        #expect(try CtlArguments.parse(["--generate-completion-script"], shellPath: "/usr/bin/zsh") == .completionScript(.zsh))
        #expect(CtlSubcommand.top.help.contains("USAGE: " + Self.topUsage))
        #expect(CtlSubcommand.top.usage == Self.topUsage)
        for shell in CompletionShell.allCases { #expect(shell.script.contains("fileopenctl")) }
        // After `--`, `-h` is a word like any other: here an invalid <pid>.
        #expect(Self.refusal(["proc", "--", "-h"])?.message == "The value '-h' is invalid for '<pid>'")
    }

    @Test(
        "Usage errors: the message, the help line of the argument concerned, the usage shown",
        arguments: [
            (["top", "--limit", "0"], "--limit must be between 1 and 1000", nil, "top"),
            (["top", "--limit"], "Missing value for '--limit <n>'", "--limit <n>  How many processes to show, 1 to 1000.", "top"),
            (["top", "--limit=", "5"], "Missing value for '--limit <n>'", "--limit <n>  How many processes to show, 1 to 1000.", "top"),
            (["top", "--limit", "-5"], "Missing value for '--limit <n>'", "--limit <n>  How many processes to show, 1 to 1000.", "top"),
            (["top", "--limit", "5x"], "The value '5x' is invalid for '--limit <n>'", "--limit <n>  How many processes to show, 1 to 1000.", "top"),
            (["top", "--limit", "99999999999999999999"], "The value '99999999999999999999' is invalid for '--limit <n>'",
             "--limit <n>  How many processes to show, 1 to 1000.", "top"),
            (["top", "--group", "x"], "The value 'x' is invalid for '--group <group>'. Please provide one of 'process', 'comm' or 'unit'.",
             "--group <group>  What to rank: process (default), comm or unit.", "top"),
            (["top", "--bogus", "--limit", "abc"], "The value 'abc' is invalid for '--limit <n>'",
             "--limit <n>  How many processes to show, 1 to 1000.", "top"),
            (["top", "--bogus=3"], "Unknown option '--bogus'", nil, "top"),
            (["top", "-l", "3"], "Unknown option '-l'", nil, "top"),
            (["--limit", "5", "top"], "Unknown option '--limit'", nil, nil),
            (["top", "---limit", "3"], "Invalid option: ---limit", nil, nil),
            (["bogus"], "Unexpected argument 'bogus'", nil, nil),
            (["status", "top"], "Unexpected argument 'top'", nil, "status"),
            (["status", "--", "--json"], "Unexpected argument '--json'", nil, "status"),
            (["proc", "1", "2"], "Unexpected argument '2'", nil, "proc"),
            (["proc"], "Missing expected argument '<pid>'", "<pid>  The process id (its tgid).", "proc"),
            (["proc", "-5"], "Missing expected argument '<pid>'", "<pid>  The process id (its tgid).", "proc"),
            (["proc", "2147483648"], "The value '2147483648' is invalid for '<pid>'", "<pid>  The process id (its tgid).", "proc"),
            (["proc", "0"], "<pid> must be between 1 and 2147483647", nil, "proc"),
            (["top", "--json=1"], "The option '--json' does not take any value, but '1' was specified.", nil, nil),
            (["tail", "--failed=1"], "The option '--failed' does not take any value, but '1' was specified.", nil, "tail"),
            (["top", "--socket"], "Missing value for '--socket <path>'", "--socket <path>  The daemon's query socket.", nil),
            (["top", "--socket", ""], "--socket needs a path", nil, nil),
            (["top", "--watch", "nan"], "--watch must be between 0.1 and 86400 seconds", nil, "top"),
            (["top", "--watch", "abc"], "Unexpected argument 'abc'", nil, "top"),
            (["top", "--by", "unit", "--group", "comm"], "--by unit and --group comm name two different things to rank", nil, "top"),
            (["top", "--group", "unit", "--by", "opens-rate"], "--group unit ranks by opens or errors: rates are kept per process", nil, "top"),
            (["top", "--group", "comm", "--comm", "x"], "--comm selects processes: it goes with --group process only", nil, "top"),
            (["tail", "--pid", "0"], "--pid must be between 1 and 2147483647", nil, "tail"),
        ] as [([String], String, String?, String?)]
    )
    func usageErrors(_ words: [String], _ message: String, _ help: String?, _ subcommand: String?) {
        let error = Self.refusal(words)
        #expect(error == CtlUsageError(message, help: help, subcommand: subcommand.flatMap(CtlSubcommand.init(rawValue:))))
    }

    @Test("The printed error: Error, Help, Usage and where to look, as swift-argument-parser wrote it")
    func printed() {
        #expect(Self.refusal(["top", "--limit", "x"])?.description == """
            Error: The value 'x' is invalid for '--limit <n>'
            Help:  --limit <n>  How many processes to show, 1 to 1000.
            Usage: \(Self.topUsage)
              See 'fileopenctl top --help' for more information.
            """)
        #expect(Self.refusal(["-x"])?.description == """
            Error: Unknown option '-x'
            Usage: fileopenctl [--socket <path>] [--json] <subcommand>
              See 'fileopenctl --help' for more information.
            """)
        #expect(Self.refusal(["top", "--by", "bytes"])?.message == """
            The value 'bytes' is invalid for '--by <order>'. Please provide one of the following:
              - opens
              - errors
              - opens_rate
              - errors_rate
              - process
              - comm
              - unit
            """)
    }

    @Test("Hostile words: huge, control characters, invalid numbers; refused in one line each, never echoed raw")
    func hostile() {
        let huge = String(repeating: "x", count: 1_000_000)
        #expect(Self.refusal(["top", "--comm", huge])?.message == "--comm is too long: a request line is at most 4096 bytes")
        #expect(Self.refusal(["tail", "--unit", huge])?.message.hasPrefix("--comm, --path-prefix or --unit is too long") == true)
        #expect(Self.refusal(["status", "--socket", huge])?.message.hasPrefix("--socket path is 1000000 bytes") == true)
        #expect(Self.refusal([huge])?.message == "Unexpected argument '\(huge)'")
        let words = Array(repeating: "--json", count: 100_000) + ["status"]
        #expect(throws: Never.self) { try CtlArguments.parse(words) }
        let escape = Self.refusal(["top", "--limit", "\u{1b}[2J"])
        #expect(escape?.message == "The value '\\x1b[2J' is invalid for '--limit <n>'")
        #expect(Self.refusal(["top", "--limit", "1e3"])?.message == "The value '1e3' is invalid for '--limit <n>'")
        #expect(Self.refusal(["top", "--limit", " 5"])?.message == "The value ' 5' is invalid for '--limit <n>'")
    }
}
