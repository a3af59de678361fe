// A fuzz target for the query protocol's request decoder (QueryRequest.decode): `make fuzz` runs
// it under libFuzzer; a plain build replays saved inputs (see FuzzDriver).
import FileOpenCore
import FuzzSupport

/// Request beginnings the first input byte may put in front of the rest, so that the fuzzer
/// reaches the argument checks at once instead of first having to discover the envelope by chance.
private let prefixes: [[UInt8]] = [
    "", "{\"version\":1,\"command\":\"", "{\"version\":1,\"command\":\"top\",", "{\"version\":1,\"command\":\"proc\",",
    "{\"version\":1,\"command\":\"tail\",\"", "{\"version\":1,", "[",
].map { Array($0.utf8) }

/// The input with its first byte replaced by the prefix it selects.
func framed(_ input: [UInt8]) -> [UInt8] {
    (input.first.map { prefixes[Int($0) % prefixes.count] } ?? []) + input.dropFirst()
}

/// The codes `decode` may give; the others belong to the server and the daemon.
private let decodeCodes: Set<QueryError.Code> = [
    .invalidJSON, .notAnObject, .unsupportedVersion, .unknownCommand, .invalidArgument,
]

/// Decodes one input. Any outcome but a crash is fine, provided these hold: a decoded request
/// survives a round trip through the line a client would send (`QueryRequest.line`), which is
/// one line; a refusal has a decode error code and a message, and its reply line is one line of
/// valid UTF-8 that is itself a JSON object (decoding it fails only for lack of a "command").
/// Exported under libFuzzer's conventional name, which its runtime references.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzQueryRequest(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = framed(Array(UnsafeBufferPointer(start: data, count: size)))
    do {
        let request = try QueryRequest.decode(line: bytes)
        let line = Array(request.line.utf8)
        precondition(
            line.last == 0x0A && !line.dropLast().contains(0x0A), "request line \(request.line) is not one line")
        let again = try? QueryRequest.decode(line: Array(line.dropLast()))
        precondition(again == request, "\(request) came back from \(request.line) as \(String(describing: again))")
    } catch {
        precondition(decodeCodes.contains(error.code), "decode gave \(error.code)")
        precondition(!error.message.isEmpty, "an empty message for \(error.code)")
        let reply = error.replyLine
        precondition(reply.last == 0x0A && !reply.dropLast().contains(0x0A), "the reply to \(error) is not one line")
        precondition(String(validating: reply, as: UTF8.self) != nil, "the reply to \(error) is not UTF-8")
        do {
            _ = try QueryRequest.decode(line: Array(reply.dropLast()))
            preconditionFailure("the reply to \(error) decoded as a request")
        } catch {
            precondition(error.code == .invalidArgument, "the reply line is not a JSON object: \(error)")
        }
    }
    return 0
}

@main
struct QueryRequestFuzzer {
    static func main() throws {
        try FuzzDriver.main(fuzzQueryRequest) { input in
            do {
                return "decoded: \(try QueryRequest.decode(line: framed(input)))"
            } catch {
                return "refused: \(error)"
            }
        }
    }
}
