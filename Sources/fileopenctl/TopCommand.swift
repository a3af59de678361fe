public import ArgumentParser
import FileOpenCore
import FileOpenCtlKit

/// `fileopenctl top`: the processes that open the most files, once or redrawn like watch(1).
struct TopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "List the processes (or commands, or units) that open the most files.",
        discussion: """
            OPENS and ERRORS count over each process's life; OPENS/S and ERRORS/S are rates over the \
            daemon's last complete rate window (0 until one has passed). With --watch the list is \
            redrawn every SECONDS (2 if no number follows) until Ctrl-C; on a terminal the screen \
            is cleared first, otherwise rounds are separated by a blank line and a timestamp. \
            With --group comm or unit, command names or units (systemd unit and container id) are \
            ranked instead, by their OPENS or ERRORS over the daemon's life.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp(
        "What to rank by: lifetime counts or rates; or unit, comm or process (the same as --group).", valueName: "order"))
    var by: TopRanking = .order(.opens)

    @Option(help: ArgumentHelp("What to rank: process (default), comm or unit.", valueName: "group"))
    var group: TopGroup?

    /// The order asked for (`--by unit` ranks by opens).
    var order: TopOrder {
        if case .order(let order) = by { return order }
        return .opens
    }

    /// What is ranked: `--by unit` or `--group unit`.
    var ranked: TopGroup {
        if case .group(let group) = by { return group }
        return group ?? .process
    }

    @Option(help: ArgumentHelp("How many processes to show, 1 to 1000.", valueName: "n"))
    var limit = 20

    @Option(help: ArgumentHelp("Only processes with this command name (exact match).", valueName: "name"))
    var comm: String?

    @Option(help: ArgumentHelp("Redraw every SECONDS (default 2) until Ctrl-C.", valueName: "seconds"))
    var watch: Double?

    var request: QueryRequest { .top(by: order, limit: limit, comm: comm, group: ranked) }

    func validate() throws {
        if case .group(let named) = by, let group, group != named {
            throw ValidationError("--by \(named) and --group \(group) name two different things to rank")
        }
        if ranked != .process && order != .opens && order != .errors {
            throw ValidationError("--group \(ranked.rawValue) ranks by opens or errors: rates are kept per process")
        }
        if ranked != .process && comm != nil {
            throw ValidationError("--comm selects processes: it goes with --group process only")
        }
        if !QueryRequest.topLimits.contains(limit) {
            throw ValidationError("--limit must be between 1 and 1000")
        }
        if let watch, !(watch >= 0.1 && watch <= 86400) {
            throw ValidationError("--watch must be between 0.1 and 86400 seconds")
        }
        if !request.fitsLineLimit {
            throw ValidationError("--comm is too long: a request line is at most 4096 bytes")
        }
    }

    func run() throws {
        guard let watch else {
            let result = try global.query(request, as: TopReport.self)
            if global.json {
                try Console.printJSON(result)
            } else {
                Console.print(TopFormatter.lines(result))
            }
            return
        }
        try watchLoop(every: watch)
    }

    /// One connection, one request per round; Ctrl-C ends the wait or the round at once.
    private func watchLoop(every seconds: Double) throws {
        let interrupt = try InterruptSignal()
        let connection = try global.connect()
        let clearsScreen = Console.isTerminal && !global.json
        var round = 0
        while true {
            let reply = try connection.send(
                request, expecting: TopReport.self, timeout: GlobalOptions.replyTimeout, interrupt: interrupt)
            guard let result = reply else {
                Console.endInterruptedLine()
                return
            }
            if global.json {
                try Console.printJSON(result)
            } else {
                let title = "Every \(NumberFormat.seconds(seconds))s: "
                    + "fileopenctl top, \(TopFormatter.caption(result))    \(WallClock.now().currentDate)"
                if clearsScreen {
                    Console.write("\u{1b}[H\u{1b}[2J")
                } else if round > 0 {
                    Console.print([""])
                }
                Console.print([title, ""] + TopFormatter.lines(result))
            }
            Console.flush()
            round += 1
            if interrupt.wait(timeout: .milliseconds(Int64(seconds * 1000))) {
                Console.endInterruptedLine()
                return
            }
        }
    }
}

// `init?(argument:)` comes from FileOpenCtlKit, which also accepts `opens-rate`.
extension TopOrder: ExpressibleByArgument {}
extension TopGroup: ExpressibleByArgument {}
extension TopRanking: ExpressibleByArgument {
    static var allValueStrings: [String] { names }
}
