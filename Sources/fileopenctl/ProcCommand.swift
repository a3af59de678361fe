import FileOpenCore
import FileOpenCtlKit

/// `fileopenctl proc PID`: one process in detail.
struct ProcCommand {
    let global: GlobalOptions

    /// The process id (its tgid), at least 1.
    let pid: Int32

    func run() throws {
        let result = try global.query(.proc(pid: pid), as: ProcessReport.self)
        if global.json {
            try Console.printJSON(result)
        } else {
            Console.print(ProcFormatter.lines(result, clock: .now()))
        }
    }
}
