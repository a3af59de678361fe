import FileOpenCore
import FileOpenCtlKit
import Testing

@Suite("Requests: the contract's keys, version 1, only the arguments given")
struct ClientRequestTests {
    @Test("Each command encodes exactly as the contract spells it")
    func encoding() {
        #expect(ClientRequest.status.json == #"{"version":1,"command":"status"}"#)
        #expect(ClientRequest.reset.json == #"{"version":1,"command":"reset"}"#)
        #expect(ClientRequest.proc(pid: 1234).json == #"{"version":1,"command":"proc","pid":1234}"#)
        #expect(
            ClientRequest.top(by: .opensRate, limit: 5, comm: nil).json
                == #"{"version":1,"command":"top","by":"opens_rate","limit":5}"#
        )
        #expect(
            ClientRequest.top(by: .errors, limit: 20, comm: "nginx").json
                == #"{"version":1,"command":"top","by":"errors","limit":20,"comm":"nginx"}"#
        )
        #expect(
            ClientRequest.tail(pid: nil, comm: nil, pathPrefix: nil, failedOnly: false).json
                == #"{"version":1,"command":"tail"}"#
        )
        #expect(
            ClientRequest.tail(pid: 7, comm: "cat", pathPrefix: "/etc/", failedOnly: true).json
                == #"{"version":1,"command":"tail","pid":7,"comm":"cat","path_prefix":"/etc/","failed":true}"#
        )
    }

    @Test("Strings are JSON-escaped and the line ends with one newline")
    func escaping() throws {
        let request = ClientRequest.tail(pid: nil, comm: "a\"b\\c\n", pathPrefix: "/tmp/\u{01}é", failedOnly: false)
        #expect(request.json == #"{"version":1,"command":"tail","comm":"a\"b\\c\n","path_prefix":"/tmp/\u0001é"}"#)
        #expect(request.line.last == UInt8(ascii: "\n"))
        #expect(request.line.filter { $0 == UInt8(ascii: "\n") }.count == 1)
        let parsed = try JSONValue(parsing: request.line.dropLast())
        #expect(parsed["comm"]?.stringValue == "a\"b\\c\n")
        #expect(parsed["path_prefix"]?.stringValue == "/tmp/\u{01}é")
    }

    @Test("The 4096-byte line limit is checked before sending")
    func lineLimit() {
        func tail(prefixBytes: Int) -> ClientRequest {
            .tail(pid: nil, comm: nil, pathPrefix: String(repeating: "a", count: prefixBytes), failedOnly: false)
        }
        let overhead = tail(prefixBytes: 0).line.count
        #expect(tail(prefixBytes: 4096 - overhead).line.count == 4096)
        #expect(tail(prefixBytes: 4096 - overhead).fitsLineLimit)
        #expect(!tail(prefixBytes: 4097 - overhead).fitsLineLimit)
    }

    @Test("Orders parse in the protocol's spelling and with dashes")
    func rankings() {
        #expect(TopRanking(argument: "opens") == .opens)
        #expect(TopRanking(argument: "errors_rate") == .errorsRate)
        #expect(TopRanking(argument: "opens-rate") == .opensRate)
        #expect(TopRanking(argument: "bytes") == nil)
        #expect(TopRanking.allCases.map(\.rawValue) == ["opens", "errors", "opens_rate", "errors_rate"])
    }
}
