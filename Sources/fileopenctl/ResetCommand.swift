import FileOpenCore
import FileOpenCtlKit

/// `fileopenctl reset`: zeroes the per-process detail (admin only).
struct ResetCommand {
    let global: GlobalOptions

    func run() throws {
        let result = try global.query(.reset, as: ResetReport.self)
        if global.json {
            try Console.printJSON(result)
        } else {
            Console.print([ResetFormatter.line(result)])
        }
    }
}
