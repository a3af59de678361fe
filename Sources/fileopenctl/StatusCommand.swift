import ArgumentParser
import FileOpenCore
import FileOpenCtlKit

/// `fileopenctl status`: the daemon's health.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the daemon's version, attach mode, records, drops, ring buffer and clients."
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let result = try global.query(.status, as: StatusReport.self)
        if global.json {
            try Console.printJSON(result)
        } else {
            Console.print(StatusFormatter.lines(result))
        }
    }
}
