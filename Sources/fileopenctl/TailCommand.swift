import ArgumentParser
import FileOpenCore
import FileOpenCtlKit

/// `fileopenctl tail`: every matching open as it happens, like opensnoop.
struct TailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Stream file opens as they happen: PID TID COMM FD ERR PATH, like opensnoop.",
        discussion: """
            FD is -1 and ERR the errno for a failed open; control characters in names are escaped \
            (\\n, \\t, \\xNN; C1, bidirectional and line-separator characters as \\u{XXXX}) so one \
            open stays one line and cannot act on the terminal. When this reader falls behind, the daemon \
            drops events for it and a line '# dropped N events (reader too slow)' goes to standard \
            error. Runs until Ctrl-C or until the daemon stops. With --json, every line is the \
            daemon's event object (process exits included when no --path-prefix or --failed is \
            given) or {"dropped":N}.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Only opens by this process id.", valueName: "pid"))
    var pid: Int32?

    @Option(help: ArgumentHelp("Only opens by this command name (exact match).", valueName: "name"))
    var comm: String?

    @Option(
        help: ArgumentHelp(
            "Only opens whose path as passed, or as resolved, starts with this text.", valueName: "prefix"
        )
    )
    var pathPrefix: String?

    @Flag(help: "Only failed opens.")
    var failed = false

    @Option(help: ArgumentHelp("Only opens in this unit (as the unit label of the metrics).", valueName: "name"))
    var unit: String?

    var request: QueryRequest {
        .tail(TailFilter(pid: pid, comm: comm, pathPrefix: pathPrefix, failedOnly: failed, unit: unit))
    }

    func validate() throws {
        if let pid, pid < 1 { throw ValidationError("--pid must be between 1 and \(Int32.max)") }
        if !request.fitsLineLimit {
            throw ValidationError("--comm, --path-prefix or --unit is too long: a request line is at most 4096 bytes")
        }
    }

    func run() throws {
        let interrupt = try InterruptSignal()
        let connection = try global.connect()
        let reply = try connection.send(
            request, expecting: StreamingReport.self, timeout: GlobalOptions.replyTimeout, interrupt: interrupt)
        guard let reply else {
            Console.endInterruptedLine()
            return
        }
        guard reply.streaming else {
            throw ClientError.invalidReply("a tail reply with \"streaming\":false")
        }
        if !global.json {
            Console.print([TailFormatter.header])
            Console.flush()
        }
        while true {
            switch try connection.readLines(interrupt: interrupt) {
            case .interrupted:
                Console.endInterruptedLine()
                return
            case .endOfStream:
                Console.flush()
                Console.error("the daemon closed the stream")
                return
            case .lines(let lines):
                for line in lines {
                    try show(line)
                }
                Console.flush()
            }
        }
    }

    private func show(_ line: [UInt8]) throws {
        switch try DaemonReply.tailLine(line) {
        case .record(let record):
            if global.json {
                Console.printLine(line)
            } else if let text = TailFormatter.line(record) {
                Console.print([text])
            }
        case .unknownEvent:
            // A newer daemon's kind of event: shown as it came, where lines are shown as they came.
            if global.json { Console.printLine(line) }
        case .error:
            break  // Thrown by tailLine, never returned.
        case .dropped(let count):
            if global.json { Console.printLine(line) }
            // Standard output first, so the note lands after the events that came before it.
            Console.flush()
            Console.note(TailFormatter.droppedLine(count))
        }
    }
}
