import FileOpenServer
import FileOpenTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The server against well-behaved clients, over real sockets.
@Suite("HTTP server")
struct HTTPServerTests {
    @Test("GET answers with the handler's body, Content-Length and Date")
    func get() throws {
        let fixture = try ServerFixture()
        let response = try fixture.get()
        #expect(response.status == 200 && response.reason == "OK")
        #expect(response.text == "hello\n")
        #expect(response.headers["Content-Length"] == "6")
        #expect(response.headers["Content-Type"] == "text/plain; charset=utf-8")
        #expect(response.headers["Date"]?.hasSuffix(" GMT") == true)
        #expect(response.headers["Connection"] == nil)
        #expect(fixture.eventually { $0.requestsByStatus[200] == 1 && $0.bytesSent > 6 && $0.connectionsAccepted == 1 })
    }

    @Test("HEAD: the GET headers and Content-Length, no body")
    func head() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()
        try client.send(
            "GET /big HTTP/1.1\r\nHost: t\r\n\r\nHEAD /big HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n"
        )
        let get = try client.readResponse()
        let head = try client.readResponse(head: true)
        #expect(head.status == 200 && head.body.isEmpty)
        #expect(head.headers["Content-Length"] == String(ServerFixture.bigBody.count))
        #expect(head.headers["Content-Length"] == get.headers["Content-Length"])
        #expect(head.headers["Content-Type"] == get.headers["Content-Type"])
        // Had the HEAD response carried a body, this would read it instead of the next response.
        #expect(try client.readResponse().text == "hello\n")
    }

    @Test("An unknown path is 404 and the connection stays usable")
    func notFound() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()
        try client.send("GET /nope HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 404)
        #expect(response.headers["Connection"] == nil)
        try client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().status == 200)
    }

    @Test(
        "Other methods are 405 with Allow: GET, HEAD, and the connection closes",
        arguments: ["POST", "PUT", "DELETE", "OPTIONS", "FOO"])
    func methodNotAllowed(method: String) throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()
        try client.send("\(method) / HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 405)
        #expect(response.headers["Allow"] == "GET, HEAD")
        #expect(response.headers["Connection"] == "close")
        #expect(client.serverClosed())
        #expect(fixture.eventually { $0.requestsByStatus[405] == 1 })
    }

    @Test("Keep-alive: several requests on one connection")
    func keepAlive() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()
        for round in 0..<3 {
            try client.send("GET /echo?round=\(round) HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse().text == "GET /echo round=\(round) HTTP/1.1 -\n")
        }
        #expect(fixture.server.statistics.connectionsAccepted == 1)
        #expect(fixture.eventually { $0.requestsByStatus[200] == 3 })
    }

    @Test("Pipelining: requests sent together are answered in order")
    func pipelining() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()
        let requests = (0..<5).map { "GET /echo?n=\($0) HTTP/1.1\r\nHost: t\r\nX-Test: \($0)\r\n\r\n" }
        try client.send(
            requests.joined() + "GET /missing HTTP/1.1\r\nHost: t\r\n\r\n" + "GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
        for index in 0..<5 {
            #expect(try client.readResponse().text == "GET /echo n=\(index) HTTP/1.1 \(index)\n")
        }
        #expect(try client.readResponse().status == 404)
        #expect(try client.readResponse().text == "slow\n")
    }

    @Test("Connection: close is honoured")
    func connectionClose() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()
        try client.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\nGET /echo HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 200 && response.headers["Connection"] == "close")
        #expect(client.serverClosed(), "the pipelined request after Connection: close must not be answered")
    }

    @Test("HTTP/1.0 closes by default and keeps alive when asked")
    func http10() throws {
        let fixture = try ServerFixture()
        let plain = try fixture.client()
        try plain.send("GET /echo HTTP/1.0\r\n\r\n")
        let first = try plain.readResponse()
        #expect(first.text == "GET /echo - HTTP/1.0 -\n" && first.headers["Connection"] == "close")
        #expect(plain.serverClosed())

        let kept = try fixture.client()
        try kept.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try kept.readResponse().headers["Connection"] == "keep-alive")
        try kept.send("GET /echo HTTP/1.0\r\n\r\n")
        #expect(try kept.readResponse().text == "GET /echo - HTTP/1.0 -\n")
    }

    @Test(
        "gzip when accepted and the body is large: Content-Encoding, Vary, and it decompresses to the body",
        arguments: ["gzip", "gzip, deflate, br", "*", "br;q=1, gzip;q=0.5"])
    func gzipOn(acceptEncoding: String) throws {
        let fixture = try ServerFixture()
        let response = try fixture.get("/big", headers: "Accept-Encoding: \(acceptEncoding)\r\n")
        #expect(response.headers["Content-Encoding"] == "gzip")
        #expect(response.headers["Vary"] == "Accept-Encoding")
        #expect(response.body.count < ServerFixture.bigBody.count / 4)
        #expect(try gunzip(response.body) == ServerFixture.bigBody)
    }

    @Test(
        "No gzip for identity, gzip;q=0, no Accept-Encoding, or a small body",
        arguments: [
            ("/big", "Accept-Encoding: identity\r\n"), ("/big", "Accept-Encoding: gzip;q=0, *\r\n"), ("/big", ""),
            ("/", "Accept-Encoding: gzip\r\n"),
        ])
    func gzipOff(path: String, headers: String) throws {
        let fixture = try ServerFixture()
        let response = try fixture.get(path, headers: headers)
        #expect(response.headers["Content-Encoding"] == nil)
        #expect(response.body == (path == "/big" ? ServerFixture.bigBody : Array("hello\n".utf8)))
        // Vary marks responses that gzip could have changed: the large one only.
        #expect((response.headers["Vary"] != nil) == (path == "/big"))
    }

    @Test("A handler's header fields cannot split the response or override the framing")
    func handlerHeadersFiltered() throws {
        let fixture = try ServerFixture()
        let response = try fixture.get("/injected")
        #expect(response.headers["X-Ok"] == "yes")
        #expect(response.headers["X-Bad"] == nil && response.headers["Set-Cookie"] == nil)
        #expect(response.headers.values(for: "Content-Length") == ["1"])
        #expect(response.text == "x")
    }

    @Test("A half-closed client (shutdown(SHUT_WR) after its requests) still gets every response")
    func halfClosed() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()
        try client.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\nGET /echo HTTP/1.1\r\nHost: t\r\n\r\n")
        client.shutdownWrite()
        #expect(try client.readResponse().text == "slow\n")
        #expect(try client.readResponse().text == "GET /echo - HTTP/1.1 -\n")
        #expect(client.serverClosed())
    }

    @Test("IPv6 on [::1]")
    func ipv6() throws {
        let fixture = try ServerFixture(listen: "[::1]:0")
        #expect(fixture.address.description.hasPrefix("[::1]:"))
        let response = try fixture.get("/echo?v6")
        #expect(response.text == "GET /echo v6 HTTP/1.1 -\n")
    }

    @Test("A shared route: requests arriving during a render are answered together by the next one, never by an older one")
    func sharedRender() throws {
        let fixture = try ServerFixture()
        let first = try fixture.client()
        try first.send("GET /shared HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(TestEnvironment.waitUntil { fixture.gate.waiting == 1 })
        let later = try (0..<3).map { _ in try fixture.client() }
        for client in later { try client.send("GET /shared HTTP/1.1\r\nHost: t\r\n\r\n") }
        Thread.sleep(forTimeInterval: 0.5)  // They are in: a free worker takes each at once.
        #expect(fixture.renders.value == 1, "the waiting requests start no render of their own")
        fixture.gate.open()
        #expect(try first.readResponse().text == "render 1\n")
        for client in later { #expect(try client.readResponse().text == "render 2\n", "rendered after it arrived") }
        #expect(fixture.renders.value == 2)
        #expect(try fixture.get("/shared").text == "render 3\n")
    }

    @Test("Per-request debug log lines")
    func logging() throws {
        let fixture = try ServerFixture()
        _ = try fixture.get("/echo")
        #expect(
            fixture.eventually { _ in
                fixture.logs.messages.contains {
                    $0.level == .debug && $0.message.contains("GET /echo HTTP/1.1 → 200")
                }
            })
        #expect(!fixture.logs.messages.contains { $0.level >= .notice })
    }

    @Test("stop() with clients connected returns promptly; later connects are refused; start() again throws")
    func stop() throws {
        let fixture = try ServerFixture(limits: HTTPServerLimits(headTimeout: .seconds(60), idleTimeout: .seconds(60)))
        let idle = try fixture.client()
        let partial = try fixture.client()
        try partial.send("GET / HTTP/1.1\r\nHo")
        let kept = try fixture.client()
        try kept.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        _ = try kept.readResponse()
        #expect(fixture.eventually { $0.connectionsOpen == 3 })
        let started = ContinuousClock.now
        fixture.server.stop()
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(fixture.server.statistics.connectionsOpen == 0)
        #expect(idle.serverClosed() && partial.serverClosed() && kept.serverClosed())
        #expect(throws: (any Error).self) { _ = try TestClient(fixture.address) }
        fixture.server.stop()  // Idempotent.
        #expect(throws: ServerError.self) { try fixture.server.start() }
    }

    @Test("Real clients: curl --compressed, curl -I, curl -X POST")
    func curl() throws {
        let fixture = try ServerFixture()
        let url = "http://\(fixture.address)/big"
        let compressed = try run("/usr/bin/curl", "-sS", "--compressed", "-o", "-", "-w", "", url)
        #expect(compressed.status == 0 && compressed.output == ServerFixture.bigBody)
        let head = try run("/usr/bin/curl", "-sS", "-I", url)
        let headText = String(decoding: head.output, as: UTF8.self)
        #expect(head.status == 0 && headText.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(headText.contains("Content-Length: \(ServerFixture.bigBody.count)\r\n"))
        let post = try run("/usr/bin/curl", "-sS", "-i", "-X", "POST", "-d", "x=1", url)
        let postText = String(decoding: post.output, as: UTF8.self)
        #expect(postText.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n") && postText.contains("Allow: GET, HEAD\r\n"))
    }
}

/// Runs a program and returns its exit status and standard output.
func run(_ executable: String, _ arguments: String...) throws -> (status: Int32, output: [UInt8]) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, Array(output))
}

/// Decompresses with the system's gzip, an implementation independent of the server's zlib calls.
func gunzip(_ bytes: [UInt8]) throws -> [UInt8] {
    let directory = try TestEnvironment.makeScratchDirectory("gunzip")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("body.gz")
    try Data(bytes).write(to: file)
    let result = try run("/usr/bin/gzip", "-dc", file.path)
    guard result.status == 0 else { throw ClientError("gzip -dc exited with \(result.status)") }
    return result.output
}
