import FileOpenTestSupport
import Foundation

/// The built `fileopenctl`, run as a child process.
enum CtlProcess {
    static var executable: String { ChildProcess.binDirectory.appendingPathComponent("fileopenctl").path }

    /// Starts `fileopenctl arguments`, or `wrapper + [fileopenctl] + arguments` (e.g. setpriv),
    /// or with `replacing`, `wrapper + arguments` (a wrapper that names fileopenctl itself).
    static func start(_ arguments: [String], wrapper: [String] = [], replacing: Bool = false) throws -> ChildProcess {
        guard let tool = wrapper.first else { return try ChildProcess(executable, arguments) }
        return try ChildProcess(tool, Array(wrapper.dropFirst()) + (replacing ? [] : [executable]) + arguments)
    }

    /// Runs to completion (killed after `timeout`).
    static func run(
        _ arguments: [String], wrapper: [String] = [], replacing: Bool = false, timeout: TimeInterval = 20
    ) throws -> ChildProcess {
        let ctl = try start(arguments, wrapper: wrapper, replacing: replacing)
        ctl.waitForExit(timeout: timeout)
        return ctl
    }
}
