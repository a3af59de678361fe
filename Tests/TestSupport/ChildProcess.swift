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
    /// How many of the two pipes reached end of file: all the output has been read.
    private let pipesClosed = Locked(0)

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
        let pipesClosed = pipesClosed
        for (pipe, buffer) in [(out, stdout), (err, stderr)] {
            pipe.fileHandleForReading.readabilityHandler = { handle in
                let data = handle.availableData
                guard !data.isEmpty else {
                    handle.readabilityHandler = nil
                    pipesClosed.withLock { $0 += 1 }
                    return
                }
                buffer.withLock { $0.append(data) }
            }
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

    /// Waits up to `timeout` for the process to exit, then (up to 5 s more) until everything it
    /// wrote has been read; returns its status, or nil (after killing it) on timeout.
    @discardableResult
    public func waitForExit(timeout: TimeInterval = 10) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        guard !process.isRunning else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        // A loaded machine can read the last bytes well after the exit: wait for end of file on both
        // pipes (a grandchild still holding one only delays this by the bound).
        let drained = Date().addingTimeInterval(5)
        while pipesClosed.value < 2 && Date() < drained { Thread.sleep(forTimeInterval: 0.01) }
        return process.terminationStatus
    }
}
