import ArgumentParser
import FileOpenCore
import FileOpenCtlKit
#if canImport(Glibc)
import Glibc
#endif

/// `fileopenctl`: the client of fileopend's query socket.
@main
struct FileOpenCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fileopenctl",
        abstract: "Ask a running fileopend what is opening files on this host.",
        discussion: """
            Talks to the daemon over its Unix socket (--socket, default \
            \(DaemonConnection.defaultSocketPath)), which root and members of the socket's group \
            (fileopend) may use; reset needs root. --json prints the daemon's reply objects as JSON \
            lines instead of tables.

            Exit status: 0 success, 1 the daemon answered with an error (or broke the protocol), \
            2 usage error, 69 daemon not running, 77 permission denied.

            Shell completions: fileopenctl --generate-completion-script bash|zsh|fish, e.g. \
            fileopenctl --generate-completion-script bash > /etc/bash_completion.d/fileopenctl
            """,
        version: FileOpenVersion.current,
        subcommands: [StatusCommand.self, TopCommand.self, ProcCommand.self, TailCommand.self, ResetCommand.self]
    )

    // Declared here too, so `fileopenctl --socket PATH top` works as well as `fileopenctl top --socket PATH`.
    @OptionGroup var global: GlobalOptions

    /// Parses (after `WatchArgument` gives a bare `--watch` its default), runs, and exits with the
    /// contract's statuses: a `ClientError`'s own, and 2 for any usage error, where
    /// swift-argument-parser would exit with 64 (EX_USAGE).
    static func main() {
        let arguments = WatchArgument.expanded(Array(CommandLine.arguments.dropFirst()))
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch let error as ClientError {
            Console.flush()
            Console.error(error.description)
            Glibc.exit(error.exitCode)
        } catch {
            if exitCode(for: error) == .validationFailure {
                Console.flush()
                Console.note(fullMessage(for: error))
                Glibc.exit(2)
            }
            exit(withError: error)
        }
        Glibc.exit(0)
    }
}
