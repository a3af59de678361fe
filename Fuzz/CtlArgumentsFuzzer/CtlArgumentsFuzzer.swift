// A fuzz target for fileopenctl's command-line parser (CtlArguments.parse): `make fuzz` runs it
// under libFuzzer; a plain build replays saved inputs (see FuzzDriver).
import FileOpenCore
import FileOpenCtlKit
import FuzzSupport

/// The input as a command line: words separated by NUL bytes (which no argv word can hold),
/// decoded as the runtime decodes `CommandLine.arguments` (invalid UTF-8 repaired).
func words(_ input: [UInt8]) -> [String] {
    input.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
}

/// Parses one command line. Any outcome but a crash is fine, provided these hold: a usage error
/// reads `Error: …` and shows a usage line; a command to run has
/// a socket path a Unix socket can take and a request that fits one line; parsing is a function
/// of its input (the same words, the same outcome).
/// Exported under libFuzzer's conventional name, which its runtime references.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCtlArguments(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let arguments = words(Array(UnsafeBufferPointer(start: data, count: size)))
    let first = Result { () throws(CtlUsageError) in try CtlArguments.parse(arguments, shellPath: "/bin/zsh") }
    let second = Result { () throws(CtlUsageError) in try CtlArguments.parse(arguments, shellPath: "/bin/zsh") }
    precondition(first == second, "two parses of \(arguments) differ")
    switch first {
    case .failure(let error):
        let lines = error.description.split(separator: "\n", omittingEmptySubsequences: false)
        precondition(lines.first?.hasPrefix("Error: ") == true, "\(error.description) does not start with Error:")
        precondition(lines.contains { $0.hasPrefix("Usage: fileopenctl") }, "no usage line in \(error.description)")
    case .success(.run(let command, let socket, _)):
        precondition(!socket.isEmpty && socket.utf8.count <= DaemonConnection.maximumPathBytes, "socket \(socket)")
        switch command {
        case .top(let request, let watch):
            precondition(request.fitsLineLimit, "\(request) does not fit a line")
            if let watch { precondition(watch >= 0.1 && watch <= 86400, "watch \(watch)") }
        case .tail(let request):
            precondition(request.fitsLineLimit, "\(request) does not fit a line")
        case .proc(let pid):
            precondition(pid >= 1, "pid \(pid)")
        case .status, .reset:
            break
        }
    case .success(.help(let text)):
        precondition(text.hasPrefix("OVERVIEW: "), "help text \(text.prefix(40))")
    case .success(.version), .success(.completionScript):
        break
    }
    return 0
}

@main
struct CtlArgumentsFuzzer {
    static func main() throws {
        try FuzzDriver.main(fuzzCtlArguments) { input in
            switch Result(catching: { () throws(CtlUsageError) in try CtlArguments.parse(words(input)) }) {
            case .success(let invocation): "parsed: \(invocation)"
            case .failure(let error): "refused: \(error.message)"
            }
        }
    }
}
