import ArgumentParser
import FileOpenCtlKit

/// `fileopenctl status`: the daemon's health.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the daemon's version, attach mode, records, drops, ring buffer and clients."
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let result = try global.query(.status)
        if global.json {
            Console.printJSON(result)
        } else {
            Console.print(StatusFormatter.lines(result))
        }
    }
}
