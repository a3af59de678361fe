import FileOpenServer
import FileOpenTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The server against clients that misbehave, by accident or on purpose. After each, another
/// client must still be served.
@Suite("HTTP server under hostile clients")
struct HostileClientTests {
    @Test(
        "Malformed heads get their status with Connection: close, then the connection closes",
        arguments: [
            ("GET / HTTP/1.1\r\nHost: t\r\nX-Big: \(String(repeating: "a", count: 9000))\r\n\r\n", 431),
            ("GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n0123456789", 413),
            ("GET / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 413),
            ("GET / HTTP/1.1\r\nHost: t\r\nX-A: a\nSet-Cookie: evil=1\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: t\r\nX-A: a\u{0}b\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: t\r\nX-A: a\r\n folded\r\n\r\n", 400),
            ("GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505),
            ("\u{16}\u{03}\u{01}\u{00}\u{a5}\u{01}\u{00}\u{00}\u{a1}\u{03}\u{03}", 400),
        ])
    func malformed(request: String, status: Int) throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()
        try client.send(request)
        let response = try client.readResponse()
        #expect(response.status == status)
        #expect(response.headers["Connection"] == "close")
        #expect(client.serverClosed())
        #expect(fixture.eventually { $0.requestsByStatus[status] == 1 })
        try fixture.expectServesOthers()
    }

    @Test("A 431 is sent as soon as the limit is passed, without waiting for the head to end")
    func oversizedEarly() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()
        try client.send("GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + String(repeating: "a", count: 10000))
        #expect(try client.readResponse().status == 431)
        #expect(client.serverClosed())
        try fixture.expectServesOthers()
    }

    @Test("A client that sends nothing is closed at the head timeout and counted")
    func silentClient() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()
        let started = ContinuousClock.now
        #expect(client.serverClosed())
        #expect(ContinuousClock.now - started < .seconds(4))
        #expect(fixture.eventually { $0.headTimeouts == 1 && $0.connectionsOpen == 0 })
        try fixture.expectServesOthers()
    }

    @Test("A kept-alive connection idle past the idle timeout is closed and counted")
    func idleClient() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()
        try client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        _ = try client.readResponse()
        #expect(client.serverClosed())
        #expect(fixture.eventually { $0.idleTimeouts == 1 && $0.headTimeouts == 0 })
        try fixture.expectServesOthers()
    }

    @Test("Slowloris (one byte every 100 ms) is cut at the head timeout with 408")
    func slowloris() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()
        let request = Array("GET / HTTP/1.1\r\nHost: t\r\nX-Slow: \(String(repeating: "s", count: 100))\r\n\r\n".utf8)
        var sentAll = true
        for byte in request {
            do {
                try client.send([byte])
            } catch {
                break
            }
            Thread.sleep(forTimeInterval: 0.1)
            if fixture.server.statistics.headTimeouts == 1 {
                sentAll = false
                break
            }
        }
        #expect(!sentAll, "the server waited for a head trickled over \(request.count / 10) s")
        let response = try client.readResponse()
        #expect(response.status == 408 && response.headers["Connection"] == "close")
        #expect(fixture.eventually { $0.headTimeouts == 1 && $0.requestsByStatus[408] == 1 })
        try fixture.expectServesOthers()
    }

    @Test("At the connection cap a new client closes the longest-waiting connection without a request; counted, logged once")
    func connectionCap() throws {
        let fixture = try ServerFixture(
            limits: HTTPServerLimits(maxConnections: 4, headTimeout: .seconds(30), idleTimeout: .seconds(30)))
        var held: [TestClient] = []
        for _ in 0..<4 {
            held.append(try fixture.client())
            #expect(fixture.eventually { $0.connectionsOpen == held.count }, "accepted in order")
        }
        var newcomers: [TestClient] = []  // Kept open (and idle), so that every attempt meets the cap.
        for attempt in 1...3 {
            let newcomer = try fixture.client()
            try newcomer.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try newcomer.readResponse().text == "hello\n")
            newcomers.append(newcomer)
            #expect(held[attempt - 1].serverClosed(), "the oldest silent connection makes room")
            #expect(fixture.server.statistics.connectionsEvicted == UInt64(attempt))
        }
        #expect(fixture.server.statistics.connectionsRefused == 0)
        let notices = fixture.logs.messages.filter {
            $0.level == .notice && $0.message.contains("connection limit of 4 reached")
        }
        #expect(notices.count == 1, "the cap notice is rate-limited")
    }

    @Test("At the cap, a head under way is closed before an older kept-alive connection between requests")
    func evictionOrder() throws {
        let fixture = try ServerFixture(
            limits: HTTPServerLimits(maxConnections: 2, headTimeout: .seconds(30), idleTimeout: .seconds(30)))
        let keptAlive = try fixture.client()
        try keptAlive.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try keptAlive.readResponse().status == 200)
        let trickling = try fixture.client()
        try trickling.send("GET / HTTP/1.1\r\nHo")
        #expect(fixture.eventually { $0.connectionsOpen == 2 })
        try fixture.expectServesOthers()
        #expect(trickling.serverClosed())
        try keptAlive.send("GET /echo HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try keptAlive.readResponse().text == "GET /echo - HTTP/1.1 -\n", "the kept-alive connection still serves")
    }

    @Test("At the cap with every connection in service: 503 with Retry-After, counted; the others are answered")
    func capAllInService() throws {
        let fixture = try ServerFixture(
            limits: HTTPServerLimits(maxConnections: 2, workers: 2, headTimeout: .seconds(30), idleTimeout: .seconds(30)))
        let busy = try (0..<2).map { _ in try fixture.client() }
        for client in busy { try client.send("GET /gate HTTP/1.1\r\nHost: t\r\n\r\n") }
        #expect(TestEnvironment.waitUntil { fixture.gate.waiting == 2 })
        let refused = try fixture.client()
        let response = try refused.readResponse()
        #expect(response.status == 503 && response.headers["Retry-After"] == "1")
        #expect(refused.serverClosed())
        #expect(fixture.server.statistics.connectionsRefused == 1)
        fixture.gate.open()
        for client in busy { #expect(try client.readResponse().text == "passed\n") }
        try fixture.expectServesOthers()
    }

    @Test("Past maxRequestsInService a request gets 503 with Retry-After and its connection closes; counted")
    func requestsInService() throws {
        let fixture = try ServerFixture(
            limits: HTTPServerLimits(workers: 1, maxRequestsInService: 1, headTimeout: .seconds(5)))
        let waiting = try fixture.client()
        try waiting.send("GET /gate HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(TestEnvironment.waitUntil { fixture.gate.waiting == 1 })
        let response = try fixture.get()
        #expect(response.status == 503 && response.headers["Retry-After"] == "1")
        #expect(response.headers["Connection"] == "close")
        #expect(fixture.server.statistics.requestsRefused == 1)
        #expect(fixture.server.statistics.requestsByStatus[503] == 1)
        fixture.gate.open()
        #expect(try waiting.readResponse().text == "passed\n")
        try fixture.expectServesOthers()
    }

    @Test("Slow readers past the buffered-bytes budget: the response waiting longest is abandoned, counted")
    func bufferedBudget() throws {
        let fixture = try ServerFixture(
            limits: HTTPServerLimits(maxBufferedBytes: 1 << 20, headTimeout: .seconds(5), writeTimeout: .seconds(30)))
        let first = try fixture.client(receiveBuffer: 4096)
        try first.send("GET /huge HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(fixture.eventually { $0.bytesSent > 0 })
        let second = try fixture.client(receiveBuffer: 4096)
        try second.send("GET /huge HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(fixture.eventually { $0.responsesShed == 1 && $0.connectionsOpen == 1 })
        #expect(throws: (any Error).self, "the first response was cut off") {
            _ = try first.readResponse()
        }
        try fixture.expectServesOthers()
        _ = second
    }

    @Test("1,000 clients trickling heads cost no thread: another client is answered at once")
    func thousandSlowHeads() throws {
        TestEnvironment.raiseDescriptorLimit(to: 8192)
        let fixture = try ServerFixture(
            limits: HTTPServerLimits(maxConnections: 4096, headTimeout: .seconds(30), idleTimeout: .seconds(30)))
        let threadsBefore = Self.threadCount()
        let slow = try (0..<1000).map { _ in try fixture.client() }
        for client in slow { try client.send("GET / HTTP/1.1\r\nX-Slow: ") }
        #expect(fixture.eventually { $0.connectionsOpen == 1000 })
        #expect(Self.threadCount() < threadsBefore + 200, "no thread per connection")
        let started = ContinuousClock.now
        try fixture.expectServesOthers()
        #expect(ContinuousClock.now - started < .seconds(1))
        #expect(fixture.server.statistics.connectionsEvicted == 0 && fixture.server.statistics.connectionsRefused == 0)
    }

    /// Threads of this process (the test runner's, the server's among them).
    static func threadCount() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count) ?? 0
    }

    @Test("A client that disconnects mid-response does not harm the server; the disconnect is counted")
    func disconnectMidResponse() throws {
        let fixture = try ServerFixture()
        do {
            let client = try fixture.client(receiveBuffer: 4096)
            try client.send("GET /huge HTTP/1.1\r\nHost: t\r\n\r\n")
            try client.readSome(atLeast: 1000)
        }  // Closed here with 16 MiB unsent: the server's next write fails with EPIPE or ECONNRESET.
        #expect(fixture.eventually { $0.clientDisconnects == 1 && $0.connectionsOpen == 0 })
        try fixture.expectServesOthers()
        let whole = try fixture.get("/huge")
        #expect(whole.body.count == ServerFixture.hugeBody.count)
    }

    @Test("A client that does not read its response is cut at the write timeout and counted")
    func writeTimeout() throws {
        let fixture = try ServerFixture(
            limits: HTTPServerLimits(headTimeout: .seconds(5), writeTimeout: .milliseconds(300)))
        let client = try fixture.client(receiveBuffer: 4096)
        try client.send("GET /huge HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(fixture.eventually { $0.writeTimeouts == 1 && $0.connectionsOpen == 0 })
        try fixture.expectServesOthers()
    }

    @Test("Garbage from many clients at once: every one refused, the server still serves")
    func manyBadClients() throws {
        let fixture = try ServerFixture()
        var generator = SplitMix64(seed: 42)
        let clients = try (0..<12).map { _ in try fixture.client() }
        for client in clients {
            let garbage = (0..<200).map { _ in UInt8.random(in: 0...255, using: &generator) }
            try client.send(garbage + Array("\r\n\r\n".utf8))
        }
        for client in clients {
            let response = try client.readResponse()
            #expect([400, 405, 505].contains(response.status))
        }
        try fixture.expectServesOthers()
    }
}
