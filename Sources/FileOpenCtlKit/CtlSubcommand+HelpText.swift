// The help texts as swift-argument-parser 1.8.2 wrapped them for 80 columns (fileopenctl before it
// parsed its own arguments): the same words, the same layout.

extension CtlSubcommand {
    /// `fileopenctl --help`, without the final newline.
    static let rootHelp = ##"""
OVERVIEW: Ask a running fileopend what is opening files on this host.

Talks to the daemon over its Unix socket (--socket, default
\##(DaemonConnection.defaultSocketPath)), which root and members of the socket's group
(fileopend) may use; reset needs root. --json prints the daemon's reply objects
as JSON lines instead of tables.

Exit status: 0 success, 1 the daemon answered with an error (or broke the
protocol), 2 usage error, 69 daemon not running, 77 permission denied.

Shell completions: fileopenctl --generate-completion-script bash|zsh|fish, e.g.
fileopenctl --generate-completion-script bash >
/etc/bash_completion.d/fileopenctl

USAGE: \##(CtlSubcommand.rootUsage)

OPTIONS:
\##(globalOptionsHelp)
\##(builtInOptionsHelp)

SUBCOMMANDS:
  status                  Show the daemon's version, attach mode, records,
                          drops, ring buffer and clients.
  top                     List the processes (or commands, or units) that open
                          the most files.
  proc                    Show one process: its counters, failures by errno and
                          most opened paths.
  tail                    Stream file opens as they happen: PID TID COMM FD ERR
                          PATH, like opensnoop.
  reset                   Zero every tracked process's top paths and rate
                          windows (root only).

  See 'fileopenctl help <subcommand>' for detailed help.
"""##

    /// `fileopenctl status --help`, without the final newline.
    static let statusHelp = ##"""
OVERVIEW: Show the daemon's version, attach mode, records, drops, ring buffer
and clients.

USAGE: \##(CtlSubcommand.status.usage)

OPTIONS:
\##(globalOptionsHelp)
\##(builtInOptionsHelp)

"""##

    /// `fileopenctl top --help`, without the final newline.
    static let topHelp = ##"""
OVERVIEW: List the processes (or commands, or units) that open the most files.

OPENS and ERRORS count over each process's life; OPENS/S and ERRORS/S are rates
over the daemon's last complete rate window (0 until one has passed). With
--watch the list is redrawn every SECONDS (2 if no number follows) until
Ctrl-C; on a terminal the screen is cleared first, otherwise rounds are
separated by a blank line and a timestamp. With --group comm or unit, command
names or units (systemd unit and container id) are ranked instead, by their
OPENS or ERRORS over the daemon's life.

USAGE: \##(CtlSubcommand.top.usage)

OPTIONS:
\##(globalOptionsHelp)
  --by <order>            What to rank by: lifetime counts or rates; or unit,
                          comm or process (the same as --group). (values:
                          opens, errors, opens_rate, errors_rate, process,
                          comm, unit; default: opens)
  --group <group>         What to rank: process (default), comm or unit.
                          (values: process, comm, unit)
  --limit <n>             How many processes to show, 1 to 1000. (default: 20)
  --comm <name>           Only processes with this command name (exact match).
  --watch <seconds>       Redraw every SECONDS (default 2) until Ctrl-C.
  --version               Show the version.
  -h, --help              Show help information.

"""##

    /// `fileopenctl proc --help`, without the final newline.
    static let procHelp = ##"""
OVERVIEW: Show one process: its counters, failures by errno and most opened
paths.

Times are the local time of this host. The top paths are a bounded
heavy-hitters list: a count is exact unless its path was once pushed out of the
list.

USAGE: \##(CtlSubcommand.proc.usage)

ARGUMENTS:
  <pid>                   The process id (its tgid).

OPTIONS:
\##(globalOptionsHelp)
\##(builtInOptionsHelp)

"""##

    /// `fileopenctl tail --help`, without the final newline.
    static let tailHelp = ##"""
OVERVIEW: Stream file opens as they happen: PID TID COMM FD ERR PATH, like
opensnoop.

FD is -1 and ERR the errno for a failed open; control characters in names are
escaped (\n, \t, \xNN; C1, bidirectional and line-separator characters as
\u{XXXX}) so one open stays one line and cannot act on the terminal. When this
reader falls behind, the daemon drops events for it and a line '# dropped N
events (reader too slow)' goes to standard error. Runs until Ctrl-C or until
the daemon stops. With --json, every line is the daemon's event object (process
exits included when no --path-prefix or --failed is given) or {"dropped":N}.

USAGE: \##(CtlSubcommand.tail.usage)

OPTIONS:
\##(globalOptionsHelp)
  --pid <pid>             Only opens by this process id.
  --comm <name>           Only opens by this command name (exact match).
  --path-prefix <prefix>  Only opens whose path as passed, or as resolved,
                          starts with this text.
  --failed                Only failed opens.
  --unit <name>           Only opens in this unit (as the unit label of the
                          metrics).
  --version               Show the version.
  -h, --help              Show help information.

"""##

    /// `fileopenctl reset --help`, without the final newline.
    static let resetHelp = ##"""
OVERVIEW: Zero every tracked process's top paths and rate windows (root only).

The exported counters (opens, errors, per-command totals) are never touched, so
Prometheus sees no counter go backwards.

USAGE: \##(CtlSubcommand.reset.usage)

OPTIONS:
\##(globalOptionsHelp)
\##(builtInOptionsHelp)

"""##

    /// `fileopenctl help help`, without the final newline.
    static let helpHelp = ##"""
OVERVIEW: Show subcommand help information.

USAGE: fileopenctl help [<subcommands> ...]

ARGUMENTS:
  <subcommands>

OPTIONS:
  --version               Show the version.

"""##

    /// `--socket` and `--json` in every OPTIONS list.
    private static let globalOptionsHelp = ##"""
  --socket <path>         The daemon's query socket. (default:
                          \##(DaemonConnection.defaultSocketPath))
  --json                  Print the daemon's reply as JSON lines instead of
                          tables.
"""##

    /// The options every command has, last in every OPTIONS list.
    private static let builtInOptionsHelp = ##"""
  --version               Show the version.
  -h, --help              Show help information.
"""##
}
