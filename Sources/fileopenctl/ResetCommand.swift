import ArgumentParser
import FileOpenCore
import FileOpenCtlKit

/// `fileopenctl reset`: zeroes the per-process detail (admin only).
struct ResetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract: "Zero every tracked process's top paths and rate windows (root only).",
        discussion: """
            The exported counters (opens, errors, per-command totals) are never touched, so \
            Prometheus sees no counter go backwards.
            """
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let result = try global.query(.reset, as: ResetReport.self)
        if global.json {
            try Console.printJSON(result)
        } else {
            Console.print([ResetFormatter.line(result)])
        }
    }
}
