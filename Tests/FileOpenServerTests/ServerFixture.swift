import FileOpenServer
import FileOpenTestSupport
import Foundation
import Logging
import Testing

/// A real `HTTPServer` on a free port of the loopback address, with a small router, stopped on deinit.
final class ServerFixture {
    /// Limits with timeouts short enough for tests.
    static let testLimits = HTTPServerLimits(
        maxConnections: 16, headTimeout: .milliseconds(500), idleTimeout: .milliseconds(500), writeTimeout: .seconds(5)
    )

    /// `/big`: 64 KiB of text that compresses well.
    static let bigBody: [UInt8] = Array(
        (0..<2048).map { "fileopen_opens_total{comm=\"c\(String(format: "%04d", $0))\"} 1\n" }.joined().utf8)
    /// `/huge`: 16 MiB that does not compress, so a client really has to read 16 MiB.
    static let hugeBody: [UInt8] = {
        var generator = SplitMix64(seed: 7)
        return [UInt8](unsafeUninitializedCapacity: 16 << 20) { buffer, count in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            for offset in stride(from: 0, to: raw.count, by: 8) {
                raw.storeBytes(of: generator.next(), toByteOffset: offset, as: UInt64.self)
            }
            count = raw.count
        }
    }()

    let server: HTTPServer
    let address: ListenAddress
    let logs: RecordingLogHandler.Store

    /// Holds `/gate` and `/shared` requests until opened.
    let gate = Gate()
    /// Runs of the `/shared` handler.
    let renders = Locked(0)

    init(limits: HTTPServerLimits = testLimits, listen: String = "127.0.0.1:0", web: WebSecurity = WebSecurity()) throws {
        let (logger, logs) = RecordingLogHandler.logger(label: "http-test")
        self.logs = logs
        let socket = try ListeningSocket.bind(ListenAddress(parsing: listen))
        address = socket.boundAddress
        var router = Self.router
        router.route("/gate") { [gate] _ in
            gate.pass()
            return .text("passed\n")
        }
        router.route("/shared", sharedBy: { _ in "one" }) { [gate, renders] _ in
            let number = renders.withLock {
                $0 += 1
                return $0
            }
            gate.pass()
            return .text("render \(number)\n")
        }
        server = HTTPServer(sockets: [socket], limits: limits, logger: logger, router: router)
        try server.configure(web)
        try server.start()
    }

    deinit {
        gate.open()
        server.stop()
    }

    static let router = HTTPRouter([
        "/": { _ in .text("hello\n") },
        "/big": { _ in HTTPResponse(contentType: "text/plain; version=0.0.4", body: bigBody) },
        "/huge": { _ in HTTPResponse(contentType: "application/octet-stream", body: hugeBody) },
        "/echo": { request in
            .text(
                "\(request.method) \(request.path) \(request.query ?? "-") \(request.version.rawValue) "
                    + "\(request.headers["X-Test"] ?? "-")\n"
            )
        },
        "/slow": { _ in
            Thread.sleep(forTimeInterval: 0.2)
            return .text("slow\n")
        },
        "/injected": { _ in
            HTTPResponse(
                contentType: "text/plain",
                headers: ["X-Ok": "yes", "X-Bad": "a\r\nSet-Cookie: evil=1", "Content-Length": "999"],
                body: Array("x".utf8))
        },
    ])

    func client(receiveBuffer: Int32? = nil, readTimeout: Int = 5) throws -> TestClient {
        try TestClient(address, receiveBuffer: receiveBuffer, readTimeout: readTimeout)
    }

    /// A normal GET on a fresh connection: what every hostile test checks still works.
    func get(_ path: String = "/", headers: String = "") throws -> ReceivedResponse {
        let client = try client()
        try client.send("GET \(path) HTTP/1.1\r\nHost: test\r\n\(headers)\r\n")
        return try client.readResponse()
    }

    /// Asserts that another client is served normally.
    func expectServesOthers(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let response = try get()
        #expect(
            response.status == 200 && response.text == "hello\n", "another client was not served",
            sourceLocation: sourceLocation)
    }

    /// Polls the statistics until `condition` holds (10 s at most).
    func eventually(_ condition: (HTTPServerStatistics) -> Bool) -> Bool {
        TestEnvironment.waitUntil(timeout: .seconds(10)) { condition(server.statistics) }
    }
}
