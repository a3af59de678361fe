import FileOpenCore
import FileOpenCtlKit
import Testing

@Suite("Replies: results, daemon errors, and anything that is not the protocol")
struct DaemonReplyTests {
    private func result(_ line: String) throws(ClientError) -> JSONValue {
        try DaemonReply.result(fromLine: Array(line.utf8))
    }

    @Test("A success reply yields its result object")
    func success() throws {
        let value = try result(#"{"version":1,"ok":true,"result":{"reset":true,"processes":57}}"#)
        #expect(value["processes"]?.int64Value == 57)
    }

    @Test("An error reply becomes .daemonError with code and message")
    func daemonError() {
        #expect(throws: ClientError.daemonError(code: "not_found", message: "no process with pid 99999 is tracked")) {
            try result(
                #"{"version":1,"ok":false,"error":{"code":"not_found","#
                    + #""message":"no process with pid 99999 is tracked"}}"#
            )
        }
    }

    @Test(
        "Malformed replies are .invalidReply, never a crash",
        arguments: [
            "", "not json", "[1]", #"{"ok":true,"result":{}}"#, #"{"version":2,"ok":true,"result":{}}"#,
            #"{"version":"1","ok":true,"result":{}}"#, #"{"version":1,"result":{}}"#, #"{"version":1,"ok":true}"#,
            #"{"version":1,"ok":true,"result":[]}"#, #"{"version":1,"ok":false}"#,
            #"{"version":1,"ok":false,"error":{}}"#,
        ]
    )
    func invalid(_ line: String) {
        #expect {
            try result(line)
        } throws: { error in
            guard case .invalidReply = error as? ClientError else { return false }
            return true
        }
    }

    @Test("A newer protocol version is named in the message")
    func version() {
        #expect(throws: ClientError.invalidReply("protocol version 2, this fileopenctl speaks 1")) {
            try result(#"{"version":2,"ok":true,"result":{}}"#)
        }
    }

    @Test("Tail lines: events, drop counts, a closing error, garbage")
    func tailLines() throws {
        guard case .event(let event) = try TailLine(line: Array(#"{"event":"open","pid":1}"#.utf8)) else {
            Issue.record("not an event")
            return
        }
        #expect(event["pid"]?.int64Value == 1)
        guard case .dropped(let count) = try TailLine(line: Array(#"{"dropped":42}"#.utf8)) else {
            Issue.record("not a drop count")
            return
        }
        #expect(count == 42)
        #expect(throws: ClientError.daemonError(code: "internal", message: "shutting down")) {
            let line = #"{"version":1,"ok":false,"error":{"code":"internal","message":"shutting down"}}"#
            return try TailLine(line: Array(line.utf8))
        }
        for bad in ["x", "[]", #"{"dropped":-1}"#, #"{"something":1}"#] {
            #expect(throws: ClientError.self) { try TailLine(line: Array(bad.utf8)) }
        }
    }
}
