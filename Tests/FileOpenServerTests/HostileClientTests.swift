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

    @Test("Over the connection cap: 503 with Retry-After, counted, logged once; a slot freed serves again")
    func connectionCap() throws {
        let fixture = try ServerFixture(
            limits: HTTPServerLimits(maxConnections: 4, headTimeout: .seconds(30), idleTimeout: .seconds(30)))
        var held = try (0..<4).map { _ in try fixture.client() }
        #expect(fixture.eventually { $0.connectionsOpen == 4 })
        for attempt in 1...3 {
            let refused = try fixture.client()
            let response = try refused.readResponse()
            #expect(response.status == 503 && response.headers["Retry-After"] == "1")
            #expect(refused.serverClosed())
            #expect(fixture.server.statistics.connectionsRefused == UInt64(attempt))
        }
        let notices = fixture.logs.messages.filter {
            $0.level == .notice && $0.message.contains("connection limit of 4")
        }
        #expect(notices.count == 1, "the cap notice is rate-limited")
        held.removeFirst()  // Closes it; the server notices and frees the slot.
        #expect(fixture.eventually { $0.connectionsOpen == 3 })
        try fixture.expectServesOthers()
        #expect(fixture.server.statistics.connectionsAccepted == 5)
        _ = held
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
