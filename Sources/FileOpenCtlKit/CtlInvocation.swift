/// What a fileopenctl command line asks for (`CtlArguments.parse`).
public enum CtlInvocation: Equatable, Sendable {
    /// Print this help text (`--help`, `-h`, `help [SUBCOMMAND]`, or no subcommand at all).
    case help(String)
    /// Print the version (`--version`).
    case version
    /// Print a shell's completion script (`--generate-completion-script [SHELL]`).
    case completionScript(CompletionShell)
    /// Run a subcommand against the daemon's socket at `socket`; with `json`, print JSON lines.
    case run(CtlCommand, socket: String, json: Bool)
}
