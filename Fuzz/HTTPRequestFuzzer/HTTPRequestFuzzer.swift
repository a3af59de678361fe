// A fuzz target for the HTTP request-head parser (HTTPRequestHead.parse): `make fuzz` runs it
// under libFuzzer; a plain build replays saved inputs (see FuzzDriver).
import FileOpenServer
import FuzzSupport

/// Request lines the first input byte may put in front of the rest, so that the fuzzer reaches the
/// header and validation code at once instead of first having to discover `HTTP/1.1\r\n` by chance.
private let prefixes: [[UInt8]] = [
    "", "GET / HTTP/1.1\r\n", "HEAD /metrics?a=b HTTP/1.0\r\n", "GET http://h:9469/x HTTP/1.1\r\nHost: h\r\n",
].map { Array($0.utf8) }

/// The input with its first byte replaced by the prefix it selects.
func framed(_ input: [UInt8]) -> [UInt8] {
    (input.first.map { prefixes[Int($0) % prefixes.count] } ?? []) + input.dropFirst()
}

/// Parses one input, with a prefix chosen by its first byte, under the default and a small head
/// limit (so the 431 paths are reached too). Any outcome but a crash is fine, provided these hold:
/// a complete head ends in CRLFCRLF within the input and the limit; a settled answer (complete or
/// refused) does not change when more bytes arrive; and an earlier part of the input never gets a
/// different settled answer, so how the bytes are split into reads cannot matter.
/// Exported under libFuzzer's conventional name, which its runtime references.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPRequestHead(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = framed(Array(UnsafeBufferPointer(start: data, count: size)))
    for limit in [HTTPRequestHead.defaultMaxBytes, 64] {
        let whole = HTTPRequestHead.parse(bytes, maxHeadBytes: limit)
        if case .complete(_, let consumed) = whole {
            precondition(
                consumed >= 4 && consumed <= min(bytes.count, limit), "consumed \(consumed) of \(bytes.count) bytes"
            )
            precondition(bytes[consumed - 4..<consumed].elementsEqual("\r\n\r\n".utf8), "a head not ending in CRLFCRLF")
        }
        if whole != .needMore {
            let longer = HTTPRequestHead.parse(bytes + [0x41], maxHeadBytes: limit)
            precondition(longer == whole, "one more byte turned \(whole) into \(longer)")
        }
        let part = HTTPRequestHead.parse(Array(bytes.prefix(bytes.count / 2)), maxHeadBytes: limit)
        precondition(part == .needMore || part == whole, "half the input gave \(part), all of it \(whole)")
    }
    return 0
}

@main
struct HTTPRequestFuzzer {
    static func main() throws {
        try FuzzDriver.main(fuzzHTTPRequestHead) { input in
            switch HTTPRequestHead.parse(framed(input)) {
            case .needMore: "incomplete"
            case .complete(let request, let consumed): "\(request.method) \(request.target), \(consumed) bytes"
            case .invalid(let rejection): "refused: \(rejection)"
            }
        }
    }
}
