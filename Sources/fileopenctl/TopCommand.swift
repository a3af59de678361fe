import FileOpenCore
import FileOpenCtlKit

/// `fileopenctl top`: the processes that open the most files, once or redrawn like watch(1).
struct TopCommand {
    let global: GlobalOptions
    /// `.top(…)`, checked to fit a request line.
    let request: QueryRequest
    /// With `--watch`: the seconds between rounds (0.1 to 86400).
    let watch: Double?

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
