import FileOpenCore
import FileOpenCtlKit

/// `fileopenctl status`: the daemon's health.
struct StatusCommand {
    let global: GlobalOptions

    func run() throws {
        let result = try global.query(.status, as: StatusReport.self)
        if global.json {
            try Console.printJSON(result)
        } else {
            Console.print(StatusFormatter.lines(result))
        }
    }
}
