import FileOpenCore
import FileOpenCtlKit
import Testing

@Suite("Replies: results, daemon errors, and anything that is not the protocol")
struct DaemonReplyTests {
    private func reset(_ line: String) throws(ClientError) -> ResetReport {
        try DaemonReply.result(ResetReport.self, fromLine: Array(line.utf8))
    }

    @Test("A success reply yields its result, whatever the order of the members")
    func success() throws {
        #expect(try reset(#"{"version":1,"ok":true,"result":{"reset":true,"processes":57}}"#).processes == 57)
        #expect(try reset(#"{"ok":true,"result":{"processes":57,"reset":true},"version":1}"#).processes == 57)
        // A newer daemon's extra members are ignored.
        #expect(try reset(#"{"version":1,"ok":true,"result":{"reset":true,"processes":5,"took_ms":3},"x":1}"#).processes == 5)
    }

    @Test("An error reply becomes .daemonError with code and message, unknown codes included")
    func daemonError() {
        #expect(throws: ClientError.daemonError(QueryError(.notFound, "no process with pid 99999 is tracked"))) {
            try reset(
                #"{"version":1,"ok":false,"error":{"code":"not_found","#
                    + #""message":"no process with pid 99999 is tracked"}}"#
            )
        }
        #expect(throws: ClientError.daemonError(QueryError(QueryError.Code(rawValue: "new_code"), "x"))) {
            try reset(#"{"version":1,"ok":false,"error":{"code":"new_code","message":"x"}}"#)
        }
    }

    @Test(
        "Malformed replies are .invalidReply, never a crash",
        arguments: [
            "", "not json", "[1]", #"{"ok":true,"result":{}}"#, #"{"version":"1","ok":true,"result":{}}"#,
            #"{"version":1,"result":{}}"#, #"{"version":1,"ok":true}"#, #"{"version":1,"ok":true,"result":[]}"#,
            #"{"version":1,"ok":false}"#, #"{"version":1,"ok":false,"error":{}}"#, #"{"version":1,"ok":"yes"}"#,
            #"{"version":1,"ok":true,"result":{"reset":true}}"#,
            #"{"version":1,"ok":true,"result":{"reset":true,"processes":"57"}}"#,
            #"{"version":1,"ok":true,"result":{"reset":true,"processes":null}}"#,
        ]
    )
    func invalid(_ line: String) {
        #expect {
            try reset(line)
        } throws: { error in
            guard case .invalidReply = error as? ClientError else { return false }
            return true
        }
    }

    @Test("The message names what was wrong and where")
    func messages() {
        #expect(throws: ClientError.invalidReply("protocol version 2, this fileopenctl speaks 1")) {
            try reset(#"{"version":2,"ok":true,"result":{}}"#)
        }
        #expect(throws: ClientError.invalidReply("a reply that is not JSON")) { try reset("not json") }
        #expect(throws: ClientError.invalidReply(#"a reply without "result.processes""#)) {
            try reset(#"{"version":1,"ok":true,"result":{"reset":true}}"#)
        }
        #expect(throws: ClientError.invalidReply(#"a reply whose "result.processes" is not an integer"#)) {
            try reset(#"{"version":1,"ok":true,"result":{"reset":true,"processes":"57"}}"#)
        }
        #expect(throws: ClientError.invalidReply(#"a reply whose "result.processes[1].pid" is not an integer"#)) {
            try DaemonReply.result(TopReport.self, fromLine: Array(
                (#"{"version":1,"ok":true,"result":{"by":"opens","window_seconds":10,"processes":["#
                    + #"{"pid":1,"comm":"a","start_ns":1,"exited":false,"opens":1,"errors":0,"opens_per_second":0,"#
                    + #""errors_per_second":0},{"pid":true}]}}"#).utf8))
        }
    }

    @Test("Tail lines: events, drop counts, a closing error, kinds a newer daemon adds, garbage")
    func tailLines() throws {
        let event = EventLineFormatter.jsonLine(.open(Fixtures.open()))
        #expect(try DaemonReply.tailLine(Array(event.utf8)) == .record(.open(Fixtures.open())))
        #expect(try DaemonReply.tailLine(Array(#"{"dropped":42}"#.utf8)) == .dropped(42))
        #expect(try DaemonReply.tailLine(Array(#"{"event":"rename","pid":1}"#.utf8)) == .unknownEvent(kind: "rename"))
        #expect(throws: ClientError.daemonError(QueryError(.internal, "shutting down"))) {
            try DaemonReply.tailLine(QueryError(.internal, "shutting down").replyLine.dropLast())
        }
        for bad in ["x", "[]", #"{"dropped":-1}"#, #"{"something":1}"#, #"{"event":"open","pid":1}"#] {
            #expect(throws: ClientError.self) { try DaemonReply.tailLine(Array(bad.utf8)) }
        }
    }
}
