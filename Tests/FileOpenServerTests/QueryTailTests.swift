import FileOpenCore
import FileOpenServer
import FileOpenTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Query server: tail streaming")
struct QueryTailTests {
    static let streaming = String(decoding: QueryReply.streaming, as: UTF8.self)

    private static func line(_ record: ProbeRecord) -> String {
        EventLineFormatter.jsonLine(record) + "\n"
    }

    @Test("tail streams exactly the matching events, each as the daemon's JSON line")
    func filtered() throws {
        let fixture = try QueryFixture()
        let client = try fixture.client()
        #expect(try client.request(#"{"version":1,"command":"tail","pid":7,"failed":true}"#) == Self.streaming)
        #expect(fixture.hub.subscriberCount == 1)
        let first = QueryFixture.open(pid: 7, at: 2, result: -2, path: "/nope")
        let second = QueryFixture.open(pid: 7, at: 4, result: -13, path: "/etc/shadow")
        fixture.hub.publish([
            QueryFixture.open(pid: 7, at: 1), first, QueryFixture.open(pid: 8, at: 3, result: -2), second,
            .exit(ProcessExitEvent(
                timestamp: 5, process: ProcessIdentity(pid: 7, startTime: 1), comm: "c", exitCode: 0)),
        ])
        #expect(try client.readLine() == Self.line(first))
        #expect(try client.readLine() == Self.line(second))
        // Nothing else came in between: the next line is the next matching event.
        let third = QueryFixture.open(pid: 7, at: 6, result: -1)
        fixture.hub.publish([QueryFixture.open(pid: 1, at: 5), third])
        #expect(try client.readLine() == Self.line(third))
        #expect(fixture.eventually { $0.tailEventsSent == 3 && $0.tailing == 1 && $0.requestsByCommand[.tail] == 1 })
    }

    @Test("A tail with an invalid filter is refused and the connection stays usable")
    func invalidFilter() throws {
        let fixture = try QueryFixture()
        let client = try fixture.client()
        let reply = try client.request(#"{"version":1,"command":"tail","path_prefix":5}"#)
        #expect(QueryTestClient.errorCode(reply) == "invalid_argument" && reply.contains(#"\"path_prefix\""#))
        #expect(try client.request(#"{"version":1,"command":"status"}"#) == fixture.responder.expectedReply(.status))
        #expect(fixture.hub.subscriberCount == 0)
    }

    @Test("A tail the responder refuses (the counts level) gets its one error line; the connection stays usable")
    func refused() throws {
        let fixture = try QueryFixture()
        let client = try fixture.client()
        let reply = try client.request(#"{"version":1,"command":"tail","comm":"refused"}"#)
        #expect(reply == String(decoding: QueryError.tailNeedsEvents.replyLine, as: UTF8.self))
        #expect(reply.contains("detail_level events") && reply.contains(#""code":"unavailable""#))
        #expect(fixture.hub.subscriberCount == 0)
        #expect(try client.request(#"{"version":1,"command":"status"}"#) == fixture.responder.expectedReply(.status))
    }

    @Test("Streams the hub ends (a switch to the counts level) write the reason as their last line and close")
    func endedByHub() throws {
        let fixture = try QueryFixture()
        let clients = try (0..<3).map { _ in try fixture.client() }
        for client in clients {
            #expect(try client.request(#"{"version":1,"command":"tail"}"#) == Self.streaming)
        }
        #expect(TestEnvironment.waitUntil(timeout: .seconds(10)) { fixture.hub.subscriberCount == 3 })
        fixture.hub.endAll(.tailNeedsEvents)
        #expect(fixture.hub.subscriberCount == 0)
        for client in clients {
            #expect(try client.readLine() == String(decoding: QueryError.tailNeedsEvents.replyLine, as: UTF8.self))
            #expect(client.serverClosed())
        }
        #expect(fixture.eventually { $0.tailing == 0 && $0.connected == 0 })
    }

    @Test("When the client closes, its subscription is cancelled promptly")
    func clientCloses() throws {
        let fixture = try QueryFixture()
        var client: QueryTestClient? = try fixture.client()
        #expect(try client?.request(#"{"version":1,"command":"tail"}"#) == Self.streaming)
        #expect(fixture.hub.subscriberCount == 1)
        client = nil
        #expect(TestEnvironment.waitUntil(timeout: .seconds(10)) { fixture.hub.subscriberCount == 0 })
        #expect(fixture.eventually { $0.tailing == 0 && $0.connected == 0 })
    }

    @Test("A client that half-closes after the request still gets the stream")
    func halfClosed() throws {
        let fixture = try QueryFixture()
        let client = try fixture.client()
        try client.send(#"{"version":1,"command":"tail","comm":"comm3"}"# + "\n")
        client.shutdownWrite()
        #expect(try client.readLine() == Self.streaming)
        let record = QueryFixture.open(pid: 3, at: 1)
        fixture.hub.publish([QueryFixture.open(pid: 2, at: 0), record])
        #expect(try client.readLine() == Self.line(record))
        #expect(fixture.hub.subscriberCount == 1)
    }

    @Test("""
        A tail client that never reads while 100 000 records are published: publish never blocks, others are \
        served meanwhile, and the reader finally gets every event or a dropped count for it, exactly
        """)
    func stalledReader() throws {
        let fixture = try QueryFixture()
        let stalled = try fixture.client(readTimeout: 30)
        #expect(try stalled.request(#"{"version":1,"command":"tail"}"#) == Self.streaming)
        let other = try fixture.client()
        let status = #"{"version":1,"command":"status"}"#
        for batch in 0..<100 {
            fixture.hub.publish((0..<1000).map {
                QueryFixture.open(pid: Int32($0 % 50 + 1), at: UInt64(batch * 1000 + $0))
            })
            if batch % 10 == 0 {
                #expect(try other.request(status) == fixture.responder.expectedReply(.status))
            }
        }
        #expect(fixture.hub.droppedEvents > 0)
        var events = 0
        var dropped = 0
        var droppedLines = 0
        var lastTime = -1
        while events + dropped < 100_000 {
            let line = try stalled.readLine()
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            if let count = object["dropped"] as? Int {
                #expect(count > 0)
                dropped += count
                droppedLines += 1
            } else {
                let time = try #require(object["time_ns"] as? Int)
                #expect(time > lastTime, "events out of order")
                #expect(line == Self.line(QueryFixture.open(pid: Int32(time % 1000 % 50 + 1), at: UInt64(time))))
                lastTime = time
                events += 1
            }
        }
        #expect(events + dropped == 100_000)
        #expect(droppedLines >= 1 && dropped > 0)
        #expect(UInt64(dropped) == fixture.hub.droppedEvents)
        #expect(fixture.eventually { $0.tailEventsSent == UInt64(events) && $0.tailDropsReported == UInt64(dropped) })
        // The stream goes on normally once the reader keeps up.
        let after = QueryFixture.open(pid: 1, at: 200_000)
        fixture.hub.publish([after])
        #expect(try stalled.readLine() == Self.line(after))
    }

    @Test("A tail client that stops reading is closed at the write timeout; nobody else is affected")
    func writeTimeout() throws {
        let limits = QueryServerLimits(writeTimeout: .milliseconds(300), tailCheckInterval: .milliseconds(20))
        let fixture = try QueryFixture(limits: limits)
        let stalled = try fixture.client()
        #expect(try stalled.request(#"{"version":1,"command":"tail"}"#) == Self.streaming)
        for batch in 0..<20 {
            fixture.hub.publish((0..<2000).map { QueryFixture.open(pid: 1, at: UInt64(batch * 2000 + $0)) })
        }
        #expect(fixture.eventually { $0.writeTimeouts == 1 && $0.tailing == 0 })
        #expect(fixture.hub.subscriberCount == 0)
        try fixture.expectServesOthers()
    }
}
