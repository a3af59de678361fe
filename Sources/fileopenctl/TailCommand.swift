import FileOpenCore
import FileOpenCtlKit

/// `fileopenctl tail`: every matching open as it happens, like opensnoop.
struct TailCommand {
    let global: GlobalOptions
    /// `.tail(filter)`, checked to fit a request line.
    let request: QueryRequest

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
