public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A program run as a child process by a test — a built executable of this package (the daemon,
/// fileopenctl) or a system tool — its output collected as it comes.
public final class ChildProcess: Sendable {
    private let process: Process
    private let stdout = Locked(Data())
    private let stderr = Locked(Data())

    /// Where `swift build` put the executables: $FILEOPEND_BIN_DIR (set by `make test`), else the
    /// directory of the running test bundle, which SwiftPM places beside them.
    public static var binDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["FILEOPEND_BIN_DIR"] { return URL(fileURLWithPath: dir) }
        let bundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return bundle.deletingLastPathComponent()
    }

    /// Starts `executable` (a product name, or an absolute path) with `arguments`.
    public init(_ executable: String, _ arguments: [String]) throws {
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

    public var output: String { String(decoding: stdout.value, as: UTF8.self) }
    public var errorOutput: String { String(decoding: stderr.value, as: UTF8.self) }
    /// The complete lines of standard output so far, empty ones kept (a line still being written
    /// is left out).
    public var outputLines: [Substring] {
        let text = output
        guard let last = text.lastIndex(of: "\n") else { return [] }
        return text[..<last].split(separator: "\n", omittingEmptySubsequences: false)
    }
    public var pid: Int32 { process.processIdentifier }
    /// The exit status, nil while it runs.
    public var status: Int32? { process.isRunning ? nil : process.terminationStatus }
    /// Whether it ended by a signal rather than by exiting.
    public var wasSignaled: Bool { !process.isRunning && process.terminationReason == .uncaughtSignal }

    public func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// Stops it as a service manager would (SIGTERM), so it removes its socket; SIGKILL after 10 s.
    public func stop() {
        signal(SIGTERM)
        _ = waitForExit()
    }

    /// Waits up to `timeout` for the process to exit, then gives it a moment to flush its pipes;
    /// returns its status, or nil (after killing it) on timeout.
    @discardableResult
    public func waitForExit(timeout: TimeInterval = 10) -> Int32? {
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
