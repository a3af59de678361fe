import ArgumentParser
import FileOpenCore
import FileOpenCtlKit

/// `fileopenctl proc PID`: one process in detail.
struct ProcCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proc",
        abstract: "Show one process: its counters, failures by errno and most opened paths.",
        discussion: """
            Times are the local time of this host. The top paths are a bounded heavy-hitters \
            list: a count is exact unless its path was once pushed out of the list.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The process id (its tgid).")
    var pid: Int32

    func validate() throws {
        if pid < 1 { throw ValidationError("<pid> must be between 1 and \(Int32.max)") }
    }

    func run() throws {
        let result = try global.query(.proc(pid: pid), as: ProcessReport.self)
        if global.json {
            try Console.printJSON(result)
        } else {
            Console.print(ProcFormatter.lines(result, clock: .now()))
        }
    }
}
