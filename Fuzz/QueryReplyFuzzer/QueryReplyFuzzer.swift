// A fuzz target for fileopenctl's reading of the daemon's lines (DaemonReply: the reply envelope
// with each command's result type, and the tail stream's lines), the client side of the schema:
// `make fuzz` runs it under libFuzzer; a plain build replays saved inputs (see FuzzDriver).
import FileOpenCore
import FileOpenCtlKit
import FuzzSupport

/// What the first input byte asks the rest to be read as.
private enum Reading: CaseIterable {
    case status, top, proc, reset, streaming, tailLine
}

/// Reads `line` the way fileopenctl does, and checks: any outcome but a crash is fine, provided a
/// refusal is `invalidReply` or `daemonError` with a one-line message, and a value that was read
/// is read the same from the daemon's own encoding of it.
private func check<Value: Sendable & Equatable>(
    _ line: [UInt8], read: ([UInt8]) throws(ClientError) -> Value, encode: (Value) throws -> [UInt8]
) -> String {
    do {
        let value = try read(line)
        let again = try? read(encode(value))
        precondition(again == value, "\(value) did not survive its own encoding")
        return "read: \(value)"
    } catch {
        switch error {
        case .invalidReply, .daemonError: break
        default: preconditionFailure("reading a line gave \(error)")
        }
        precondition(!error.description.contains("\n"), "a message of more than one line: \(error)")
        return "refused: \(error)"
    }
}

/// A reply line's result, read as fileopenctl reads the reply to a command with that result.
private func checkReply<Result: Codable & Sendable & Equatable>(_ line: [UInt8], _: Result.Type) -> String {
    check(line, read: { (line) throws(ClientError) in try DaemonReply.result(Result.self, fromLine: line) },
          encode: { try QueryJSON.encode(QueryReply.Envelope<Result>(.success($0))) })
}

private func read(_ input: [UInt8]) -> String {
    guard let first = input.first else { return "empty" }
    let line = Array(input.dropFirst())
    switch Reading.allCases[Int(first) % Reading.allCases.count] {
    case .status: return checkReply(line, StatusReport.self)
    case .top: return checkReply(line, TopReport.self)
    case .proc: return checkReply(line, ProcessReport.self)
    case .reset: return checkReply(line, ResetReport.self)
    case .streaming: return checkReply(line, StreamingReport.self)
    case .tailLine:
        return check(line, read: { (line) throws(ClientError) in try DaemonReply.tailLine(line) },
                     encode: { try QueryJSON.encode($0) })
    }
}

/// Exported under libFuzzer's conventional name, which its runtime references.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzQueryReply(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = read(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

@main
struct QueryReplyFuzzer {
    static func main() throws {
        try FuzzDriver.main(fuzzQueryReply, describe: read)
    }
}
