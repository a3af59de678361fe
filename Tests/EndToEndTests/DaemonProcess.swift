import Foundation
import FileOpenTestSupport

/// A built executable of this package run as a child process, its output collected as it comes.
final class DaemonProcess: Sendable {
    private let process: Process
    private let stdout = Locked(Data())
    private let stderr = Locked(Data())

    /// Where `swift build` put the executables: $FILEOPEND_BIN_DIR (set by `make test`), else the
    /// directory of the running test bundle, which SwiftPM places beside them.
    static var binDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["FILEOPEND_BIN_DIR"] { return URL(fileURLWithPath: dir) }
        let bundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return bundle.deletingLastPathComponent()
    }

    /// Starts `executable` (a product name, or an absolute path) with `arguments`.
    init(_ executable: String, _ arguments: [String]) throws {
        process = Process()
        process.executableURL = executable.hasPrefix("/") ? URL(fileURLWithPath: executable)
            : Self.binDirectory.appendingPathComponent(executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let stdout = stdout, stderr = stderr
        out.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            stdout.withLock { $0.append(data) }
        }
        err.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            stderr.withLock { $0.append(data) }
        }
        try process.run()
    }

    var output: String { String(decoding: stdout.value, as: UTF8.self) }
    var errorOutput: String { String(decoding: stderr.value, as: UTF8.self) }
    var outputLines: [Substring] { output.split(separator: "\n") }
    var pid: Int32 { process.processIdentifier }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// Waits up to `timeout` for the process to exit, then gives it a moment to flush its pipes;
    /// returns its status, or nil (after killing it) on timeout.
    func waitForExit(timeout: TimeInterval = 10) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        guard !process.isRunning else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        Thread.sleep(forTimeInterval: 0.1)
        return process.terminationStatus
    }
}
