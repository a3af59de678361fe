import FileOpenTestSupport
import Foundation

/// Runs a real command-line tool (curl, promtool, python3) to completion and collects its output.
struct CommandResult {
    let status: Int32
    let output: String
    let errorOutput: String

    /// Runs `executable` (an absolute path) with `arguments`, `input` on its standard input.
    static func run(_ executable: String, _ arguments: [String], input: Data? = nil) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe(), stdin = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()
        if let input {
            // Written from another thread: a large input must not deadlock against a full stdout pipe.
            let writer = stdin.fileHandleForWriting
            Thread.detachNewThread {
                try? writer.write(contentsOf: input)
                try? writer.close()
            }
        }
        // Both pipes are read at once, so neither can fill up and stall the tool.
        let errorData = Locked(Data())
        let errorRead = DispatchGroup()
        DispatchQueue.global().async(group: errorRead) {
            let data = err.fileHandleForReading.readDataToEndOfFile()
            errorData.withLock { $0 = data }
        }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        errorRead.wait()
        return CommandResult(
            status: process.terminationStatus,
            output: String(decoding: output, as: UTF8.self),
            errorOutput: String(decoding: errorData.value, as: UTF8.self)
        )
    }
}
