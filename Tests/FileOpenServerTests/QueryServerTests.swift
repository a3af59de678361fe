import FileOpenCore
import FileOpenServer
import FileOpenSystem
import FileOpenTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Query server: requests, framing, limits")
struct QueryServerTests {
    static let requests: [QueryRequest] = [
        .status, .top(by: .opens, limit: 20, comm: nil), .top(by: .errorsRate, limit: 1000, comm: "nginx \"x\""),
        .proc(pid: 1), .proc(pid: 404), .reset,
    ]

    @Test("Every command round-trips through the responder, in order, on one connection")
    func roundTrips() throws {
        let fixture = try QueryFixture()
        let client = try fixture.client()
        for request in Self.requests {
            #expect(try client.request(String(request.line.dropLast())) == fixture.responder.expectedReply(request))
        }
        #expect(try client.request(#"{"version":1,"command":"proc","pid":404}"#).contains(#""code":"not_found""#))
        #expect(fixture.eventually {
            $0.requestsByCommand == [.status: 1, .top: 2, .proc: 3, .reset: 1, .tail: 0]
                && $0.errorsByCode[.notFound] == 2 && $0.errors == 2 && $0.connected == 1 && $0.accepted == 1
        })
    }

    @Test("Pipelined requests in one write get their replies in order")
    func pipelined() throws {
        let fixture = try QueryFixture()
        let client = try fixture.client()
        try client.send(Self.requests.map(\.line).joined())
        for request in Self.requests {
            #expect(try client.readLine() == fixture.responder.expectedReply(request))
        }
    }

    @Test("A request arriving a byte at a time, split anywhere, is answered once it is whole")
    func splitRequest() throws {
        let fixture = try QueryFixture()
        let client = try fixture.client()
        let line = Array(QueryRequest.proc(pid: 77).line.utf8) + Array(QueryRequest.status.line.utf8)
        for byte in line {
            try client.send([byte])
        }
        #expect(try client.readLine() == fixture.responder.expectedReply(.proc(pid: 77)))
        #expect(try client.readLine() == fixture.responder.expectedReply(.status))
    }

    static let hostileLines: [(line: [UInt8], code: String)] = [
        (Array("hello".utf8), "invalid_json"),
        ([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03], "invalid_json"),
        (Array(#"{"version":1,"command":""#.utf8) + [0xff] + Array(#""}"#.utf8), "invalid_json"),
        ([0x00, 0x00, 0x00], "invalid_json"),
        (Array(repeating: UInt8(ascii: "["), count: 4000), "invalid_json"),
        (Array("[1,2,3]".utf8), "not_an_object"),
        (Array(#""status""#.utf8), "not_an_object"),
        (Array(#"{"command":"status"}"#.utf8), "unsupported_version"),
        (Array(#"{"version":2,"command":"status"}"#.utf8), "unsupported_version"),
        (Array(#"{"version":1,"command":"launch"}"#.utf8), "unknown_command"),
        (Array(#"{"version":1,"command":"status","x":1}"#.utf8), "invalid_argument"),
        (Array(#"{"version":1,"command":"proc","pid":true}"#.utf8), "invalid_argument"),
        (Array(#"{"version":1,"command":"proc","pid":1.5}"#.utf8), "invalid_argument"),
        (Array(#"{"version":1,"command":"proc","pid":"12"}"#.utf8), "invalid_argument"),
        (Array(#"{"version":1,"command":"top","limit":0}"#.utf8), "invalid_argument"),
        (Array(#"{"version":1,"command":"tail","failed":1}"#.utf8), "invalid_argument"),
        (Array(#"{"version":1,"command":"tail","pid":0}"#.utf8), "invalid_argument"),
    ]

    @Test("Each hostile line gets its error code; the same connection then still answers status")
    func hostileLines() throws {
        let fixture = try QueryFixture()
        let client = try fixture.client()
        for (line, code) in Self.hostileLines {
            try client.send(line + [0x0A])
            let reply = try client.readLine()
            #expect(QueryTestClient.errorCode(reply) == code, "\(reply)")
            let status = try client.request(#"{"version":1,"command":"status"}"#)
            #expect(status == fixture.responder.expectedReply(.status))
        }
        #expect(fixture.eventually { $0.errors == UInt64(Self.hostileLines.count) && $0.connected == 1 })
        try fixture.expectServesOthers()
    }

    @Test("Blank lines get no reply; CRLF line ends are fine")
    func blankLines() throws {
        let fixture = try QueryFixture()
        let client = try fixture.client()
        try client.send("\n \r\n\t\n{\"version\":1,\"command\":\"status\"}\r\n")
        #expect(try client.readLine() == fixture.responder.expectedReply(.status))
    }

    @Test("A line over 4096 bytes: line_too_long, skipped to its newline, and the connection goes on")
    func lineTooLong() throws {
        let fixture = try QueryFixture()
        let client = try fixture.client()
        let status = #"{"version":1,"command":"status"}"#
        // Exactly 4096 bytes with the newline is allowed; one more is not.
        let padded = status + String(repeating: " ", count: 4095 - status.utf8.count)
        #expect(try client.request(padded) == fixture.responder.expectedReply(.status))
        #expect(QueryTestClient.errorCode(try client.request(padded + " ")) == "line_too_long")
        #expect(try client.request(status) == fixture.responder.expectedReply(.status))
        // A huge line in one go, followed by a request in the same write.
        try client.send(String(repeating: "x", count: 100_000) + "\n" + status + "\n")
        #expect(QueryTestClient.errorCode(try client.readLine()) == "line_too_long")
        #expect(try client.readLine() == fixture.responder.expectedReply(.status))
        // The error comes as soon as the limit is passed, before the line ends.
        try client.send(String(repeating: "y", count: 5000))
        #expect(QueryTestClient.errorCode(try client.readLine()) == "line_too_long")
        try client.send(String(repeating: "y", count: 5000) + "}\n" + status + "\n")
        #expect(try client.readLine() == fixture.responder.expectedReply(.status))
        #expect(fixture.eventually { $0.errorsByCode[.lineTooLong] == 3 })
    }

    @Test("A last request without a newline is answered when the client half-closes")
    func halfClose() throws {
        let fixture = try QueryFixture()
        let client = try fixture.client()
        try client.send(#"{"version":1,"command":"top","limit":3}"#)
        client.shutdownWrite()
        #expect(try client.readLine() == fixture.responder.expectedReply(.top(by: .opens, limit: 3, comm: nil)))
        #expect(client.serverClosed())
    }

    @Test("100 concurrent clients, 5 requests each, all answered correctly")
    func concurrentClients() throws {
        let fixture = try QueryFixture()
        let (path, responder) = (fixture.path, fixture.responder)
        let failures = Locked<[String]>([])
        let threads = (0..<100).map { index in
            DedicatedThread(name: "test-client") {
                do {
                    let client = try QueryTestClient(path: path)
                    for round in 0..<5 {
                        let request = QueryRequest.proc(pid: Int32(index * 10 + round + 1))
                        let reply = try client.request(String(request.line.dropLast()))
                        if reply != responder.expectedReply(request) {
                            failures.withLock { $0.append("client \(index): \(reply)") }
                        }
                    }
                } catch {
                    failures.withLock { $0.append("client \(index): \(error)") }
                }
            }
        }
        for thread in threads { thread.join() }
        #expect(failures.value == [])
        #expect(fixture.eventually { $0.requestsByCommand[.proc] == 500 && $0.accepted == 100 && $0.refused == 0 })
    }

    @Test("At the connection cap a new client closes the longest-waiting connection without a request in service")
    func connectionCap() throws {
        let limits = QueryServerLimits(maxConnections: 2, idleTimeout: .seconds(30), tailCheckInterval: .milliseconds(20))
        let fixture = try QueryFixture(limits: limits)
        let status = #"{"version":1,"command":"status"}"#
        let idle = try fixture.client()
        #expect(try idle.request(status) == fixture.responder.expectedReply(.status))
        let halfLine = try fixture.client()
        try halfLine.send(#"{"version":1,"#)
        #expect(fixture.eventually { $0.connected == 2 })
        let third = try fixture.client()
        #expect(try third.request(status) == fixture.responder.expectedReply(.status))
        #expect(halfLine.serverClosed(), "a line under way goes before an older idle connection")
        #expect(try idle.request(status) == fixture.responder.expectedReply(.status))
        #expect(fixture.server.statistics.evicted == 1 && fixture.server.statistics.refused == 0)
        #expect(fixture.logs.messages.contains { $0.message.contains("connection limit of 2 reached") })
    }

    @Test("At the cap with every connection streaming, a client gets one busy line and is closed")
    func capAllStreaming() throws {
        let limits = QueryServerLimits(maxConnections: 2, idleTimeout: .seconds(30), tailCheckInterval: .milliseconds(20))
        let fixture = try QueryFixture(limits: limits)
        let streams = try (0..<2).map { _ in try fixture.client() }
        for stream in streams {
            #expect(try stream.request(#"{"version":1,"command":"tail"}"#) == QueryTailTests.streaming)
        }
        let third = try fixture.client()
        let reply = try third.readLine()
        #expect(QueryTestClient.errorCode(reply) == "busy", "\(reply)")
        #expect(third.serverClosed())
        #expect(fixture.server.statistics.refused == 1)
        #expect(fixture.server.statistics.errorsByCode[.busy] == 1)
    }

    @Test("Past maxTailStreams a tail is answered busy and the connection stays usable")
    func tailCap() throws {
        let limits = QueryServerLimits(maxTailStreams: 1, idleTimeout: .seconds(30), tailCheckInterval: .milliseconds(20))
        let fixture = try QueryFixture(limits: limits)
        let first = try fixture.client()
        #expect(try first.request(#"{"version":1,"command":"tail"}"#) == QueryTailTests.streaming)
        let second = try fixture.client()
        #expect(QueryTestClient.errorCode(try second.request(#"{"version":1,"command":"tail"}"#)) == "busy")
        #expect(try second.request(#"{"version":1,"command":"status"}"#) == fixture.responder.expectedReply(.status))
        #expect(fixture.server.statistics.requestsRefused == 1 && fixture.server.statistics.tailing == 1)
    }

    @Test("Past maxRequestsInService a request is answered busy and the connection stays usable")
    func requestsInService() throws {
        let limits = QueryServerLimits(
            workers: 1, maxRequestsInService: 1, idleTimeout: .seconds(30), tailCheckInterval: .milliseconds(20))
        let fixture = try QueryFixture(limits: limits)
        let waiting = try fixture.client()
        try waiting.send(#"{"version":1,"command":"proc","pid":\#(CannedResponder.gatedPID)}"# + "\n")
        #expect(TestEnvironment.waitUntil { fixture.responder.gate.waiting == 1 })
        let other = try fixture.client()
        #expect(QueryTestClient.errorCode(try other.request(#"{"version":1,"command":"status"}"#)) == "busy")
        #expect(fixture.server.statistics.requestsRefused == 1)
        fixture.responder.gate.open()
        #expect(try waiting.readLine() == fixture.responder.expectedReply(.proc(pid: CannedResponder.gatedPID)))
        #expect(try other.request(#"{"version":1,"command":"status"}"#) == fixture.responder.expectedReply(.status))
    }

    @Test("1,000 clients that send half a line cost no thread: status is answered at once")
    func thousandHalfLines() throws {
        TestEnvironment.raiseDescriptorLimit(to: 8192)
        let limits = QueryServerLimits(maxConnections: 2048, idleTimeout: .seconds(30), tailCheckInterval: .milliseconds(20))
        let fixture = try QueryFixture(limits: limits)
        let threadsBefore = HostileClientTests.threadCount()
        let halves = try (0..<1000).map { _ in try fixture.client() }
        for client in halves { try client.send(#"{"version":1,"command":"sta"#) }
        #expect(fixture.eventually { $0.connected == 1000 })
        #expect(HostileClientTests.threadCount() < threadsBefore + 200, "no thread per connection")
        let started = ContinuousClock.now
        try fixture.expectServesOthers()
        #expect(ContinuousClock.now - started < .seconds(1))
        #expect(fixture.server.statistics.evicted == 0 && fixture.server.statistics.refused == 0)
    }

    @Test("An idle connection is closed at the idle timeout and counted; a trickled line does not extend it")
    func idleTimeout() throws {
        let limits = QueryServerLimits(idleTimeout: .milliseconds(300), tailCheckInterval: .milliseconds(20))
        let fixture = try QueryFixture(limits: limits)
        let silent = try fixture.client()
        let started = ContinuousClock.now
        #expect(silent.serverClosed())
        #expect(ContinuousClock.now - started < .seconds(5))
        let active = try fixture.client()
        #expect(try active.request(#"{"version":1,"command":"status"}"#) == fixture.responder.expectedReply(.status))
        for byte in Array(#"{"version":1,"#.utf8) {
            try? active.send([byte])
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(active.serverClosed())
        #expect(fixture.eventually { $0.idleTimeouts == 2 && $0.connected == 0 })
        try fixture.expectServesOthers()
    }

    @Test("stop() with clients connected returns promptly, removes the socket file, and is idempotent")
    func stop() throws {
        let fixture = try QueryFixture(limits: QueryServerLimits(idleTimeout: .seconds(60)))
        let idle = try fixture.client()
        let partial = try fixture.client()
        try partial.send(#"{"version":1,"#)
        let tailing = try fixture.client()
        _ = try tailing.request(#"{"version":1,"command":"tail"}"#)
        #expect(fixture.eventually { $0.connected == 3 && $0.tailing == 1 })
        let started = ContinuousClock.now
        fixture.server.stop()
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(fixture.server.statistics.connected == 0 && fixture.server.statistics.tailing == 0)
        #expect(fixture.hub.subscriberCount == 0)
        #expect(idle.serverClosed() && partial.serverClosed() && tailing.serverClosed())
        #expect(!FileManager.default.fileExists(atPath: fixture.path))
        fixture.server.stop()
        #expect(throws: ServerError.self) { try fixture.server.start() }
    }
}
