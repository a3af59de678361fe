import FileOpenServer
import FileOpenTestSupport
import Testing

/// The request-head parser meets whatever a client sends: every hostile head must be refused with
/// the right status, never crash, never be half-accepted.
@Suite("Request head parsing")
struct HTTPRequestHeadTests {
    static func parse(
        _ text: String, maxHeadBytes: Int = HTTPRequestHead.defaultMaxBytes
    ) -> HTTPRequestHead.ParseResult {
        HTTPRequestHead.parse(Array(text.utf8), maxHeadBytes: maxHeadBytes)
    }

    static func request(_ text: String) throws -> (HTTPRequest, Int) {
        guard case .complete(let request, let consumed) = parse(text) else {
            throw ClientError("not complete: \(parse(text))")
        }
        return (request, consumed)
    }

    struct Valid: Sendable, CustomTestStringConvertible {
        var name: String
        var head: String
        var method: String
        var path: String
        var query: String?
        var version: HTTPRequest.Version
        var testDescription: String { name }
    }

    static let valid: [Valid] = [
        Valid(
            name: "GET", head: "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", method: "GET", path: "/",
            version: .http1_1),
        Valid(
            name: "HEAD", head: "HEAD /metrics HTTP/1.1\r\nHost: h:9469\r\n\r\n", method: "HEAD", path: "/metrics",
            version: .http1_1),
        Valid(
            name: "query string", head: "GET /metrics?name[]=a&b=%20c HTTP/1.1\r\nHost: h\r\n\r\n",
            method: "GET", path: "/metrics", query: "name[]=a&b=%20c", version: .http1_1),
        Valid(
            name: "empty query", head: "GET /x? HTTP/1.1\r\nHost: h\r\n\r\n", method: "GET", path: "/x", query: "",
            version: .http1_1),
        Valid(
            name: "HTTP/1.0 without Host", head: "GET /healthz HTTP/1.0\r\n\r\n", method: "GET", path: "/healthz",
            version: .http1_0),
        Valid(
            name: "absolute-form",
            head: "GET http://example.com:9469/metrics?a=1 HTTP/1.1\r\nHost: example.com:9469\r\n\r\n",
            method: "GET", path: "/metrics", query: "a=1", version: .http1_1),
        Valid(
            name: "absolute-form without path", head: "GET HTTP://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n",
            method: "GET", path: "/", version: .http1_1),
        Valid(
            name: "Content-Length: 0", head: "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n", method: "GET",
            path: "/", version: .http1_1),
        Valid(
            name: "Content-Length: 000", head: "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 000\r\n\r\n",
            method: "GET", path: "/", version: .http1_1),
        Valid(
            name: "Prometheus' scrape",
            head: "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9469\r\nUser-Agent: Prometheus/2.53.0\r\n"
                + "Accept: application/openmetrics-text;version=1.0.0;q=0.5,"
                + "text/plain;version=0.0.4;q=0.3,*/*;q=0.2\r\n"
                + "Accept-Encoding: gzip\r\nX-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n", method: "GET",
            path: "/metrics", version: .http1_1),
        Valid(
            name: "obs-text in a value", head: "GET / HTTP/1.1\r\nHost: h\r\nX-Name: caf\u{E9}\r\n\r\n", method: "GET",
            path: "/", version: .http1_1),
    ]

    @Test("Valid heads parse", arguments: valid)
    func validHeads(_ valid: Valid) throws {
        let (request, consumed) = try Self.request(valid.head)
        #expect(consumed == valid.head.utf8.count)
        #expect(request.method == valid.method)
        #expect(request.path == valid.path)
        #expect(request.query == valid.query)
        #expect(request.version == valid.version)
    }

    @Test("Header values are trimmed; names keep their case and order; lookup ignores case")
    func headerValues() throws {
        let (request, _) = try Self.request(
            "GET / HTTP/1.1\r\nHost: h\r\nX-Spaced:  \t a  b \t \r\nx-multi: 1\r\nX-Empty:\r\nX-MULTI: 2\r\n\r\n")
        #expect(request.headers["x-spaced"] == "a  b")
        #expect(request.headers["X-Empty"] == "")
        #expect(request.headers.values(for: "X-Multi") == ["1", "2"])
        #expect(request.headers.fields.map(\.name) == ["Host", "X-Spaced", "x-multi", "X-Empty", "X-MULTI"])
        #expect(request.headers["Missing"] == nil)
    }

    @Test("Two pipelined requests in one buffer parse one after the other")
    func pipelined() throws {
        let first = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
        let second = "HEAD /b?x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
        let bytes = Array((first + second).utf8)
        guard case .complete(let one, let consumed) = HTTPRequestHead.parse(bytes) else {
            Issue.record("first")
            return
        }
        #expect(one.path == "/a" && consumed == first.utf8.count)
        guard case .complete(let two, let rest) = HTTPRequestHead.parse(Array(bytes[consumed...])) else {
            Issue.record("second")
            return
        }
        #expect(two.method == "HEAD" && two.path == "/b" && two.query == "x" && !two.keepAlive)
        #expect(consumed + rest == bytes.count)
    }

    static let hostile: [(String, String, Int)] = [
        ("missing version (HTTP/0.9 style)", "GET /\r\n\r\n", 400),
        ("missing target and version", "GET\r\n\r\n", 400),
        ("two spaces after the method", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("two spaces before the version", "GET /  HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("space after the version", "GET / HTTP/1.1 \r\nHost: h\r\n\r\n", 400),
        ("leading space", " GET / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("lowercase http/1.1", "GET / http/1.1\r\nHost: h\r\n\r\n", 400),
        ("HTTP/11.1", "GET / HTTP/11.1\r\nHost: h\r\n\r\n", 400),
        ("HTTP/1.1x", "GET / HTTP/1.1x\r\nHost: h\r\n\r\n", 400),
        ("bad method character", "GE(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("tab after the method", "GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("empty line", "\r\n\r\n", 400),
        ("empty line before the request", "\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("binary garbage", "\u{16}\u{03}\u{01}\u{02}\u{00}\u{01}\u{00}\u{01}\u{FC}\u{03}\u{03}", 400),
        ("NUL in the target", "GET /a\u{0}b HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("target not starting with /", "GET metrics HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("https absolute-form", "GET https://h/metrics HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("user information in the target", "GET http://user@h/ HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("fragment in the target", "GET /a#b HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("non-ASCII target", "GET /caf\u{E9} HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("oversized head", "GET / HTTP/1.1\r\nHost: h\r\nX-Big: \(String(repeating: "a", count: 9000))\r\n\r\n", 431),
        ("endless request line", "GET /\(String(repeating: "a", count: 9000))", 431),
        ("body via Content-Length", "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello", 413),
        ("huge Content-Length", "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999999\r\n\r\n", 413),
        (
            "body via Transfer-Encoding chunked",
            "GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 413
        ),
        ("HTTP/1.0 with Transfer-Encoding", "GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 413),
        ("negative Content-Length", "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400),
        ("non-numeric Content-Length", "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: abc\r\n\r\n", 400),
        ("Content-Length list", "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0, 0\r\n\r\n", 400),
        ("empty Content-Length", "GET / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n", 400),
        (
            "duplicate Content-Length", "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n",
            400
        ),
        (
            "Content-Length and Transfer-Encoding",
            "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n", 400
        ),
        ("obs-fold", "GET / HTTP/1.1\r\nHost: h\r\nX-A: one\r\n two\r\n\r\n", 400),
        ("obs-fold with a tab", "GET / HTTP/1.1\r\nHost: h\r\nX-A: one\r\n\ttwo\r\n\r\n", 400),
        ("whitespace before the first header", "GET / HTTP/1.1\r\n Host: h\r\n\r\n", 400),
        ("CR in a header value", "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\rb\r\n\r\n", 400),
        ("LF in a header value", "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\nSet-Cookie: b\r\n\r\n", 400),
        ("NUL in a header value", "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\u{0}b\r\n\r\n", 400),
        ("DEL in a header value", "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\u{7F}b\r\n\r\n", 400),
        ("escape in a header value", "GET / HTTP/1.1\r\nHost: h\r\nX-A: \u{1B}[31m\r\n\r\n", 400),
        ("bare LF line endings", "GET / HTTP/1.1\nHost: h\n\n", 400),
        ("bare LF after a header", "GET / HTTP/1.1\r\nHost: h\n\r\n", 400),
        ("bare LF ending the head", "GET / HTTP/1.1\r\nHost: h\r\n\n", 400),
        ("CR without LF ending the head", "GET / HTTP/1.1\r\nHost: h\r\n\rX", 400),
        ("space before the colon", "GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400),
        ("header without a colon", "GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", 400),
        ("header without a name", "GET / HTTP/1.1\r\nHost: h\r\n: value\r\n\r\n", 400),
        ("invalid header name", "GET / HTTP/1.1\r\nHost: h\r\nX(A): v\r\n\r\n", 400),
        ("missing Host on HTTP/1.1", "GET / HTTP/1.1\r\nX-A: b\r\n\r\n", 400),
        ("two Host fields", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        ("Host with a space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
        ("Host with a path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
        ("HTTP/2.0", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505),
        ("HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505),
        ("HTTP/0.9 as a version", "GET / HTTP/0.9\r\n\r\n", 505),
        ("HTTP/1.2", "GET / HTTP/1.2\r\nHost: h\r\n\r\n", 505),
        ("POST", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello", 405),
        ("PUT", "PUT / HTTP/1.1\r\nHost: h\r\n\r\n", 405),
        ("DELETE", "DELETE /metrics HTTP/1.1\r\nHost: h\r\n\r\n", 405),
        ("FOO", "FOO / HTTP/1.1\r\nHost: h\r\n\r\n", 405),
        ("lowercase get", "get / HTTP/1.1\r\nHost: h\r\n\r\n", 405),
        ("OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", 405),
        ("CONNECT authority-form", "CONNECT h:443 HTTP/1.1\r\nHost: h\r\n\r\n", 400),
    ]

    @Test("Hostile heads are refused with the right status", arguments: hostile)
    func hostileHeads(name: String, head: String, status: Int) {
        guard case .invalid(let rejection) = Self.parse(head) else {
            Issue.record("\(name): \(Self.parse(head))")
            return
        }
        #expect(rejection.status.code == status, "\(name): \(rejection)")
        #expect(!rejection.reason.isEmpty)
    }

    @Test("The head limit counts the final CRLFCRLF")
    func limitBoundary() {
        let prefix = "GET / HTTP/1.1\r\nHost: h\r\nX-Pad: "
        let padding = 100 - prefix.utf8.count - 4
        let exact = prefix + String(repeating: "p", count: padding) + "\r\n\r\n"
        #expect(exact.utf8.count == 100)
        guard case .complete(_, let consumed) = Self.parse(exact, maxHeadBytes: 100) else {
            Issue.record("not complete")
            return
        }
        #expect(consumed == 100)
        let over = prefix + String(repeating: "p", count: padding + 1) + "\r\n\r\n"
        guard case .invalid(let rejection) = Self.parse(over, maxHeadBytes: 100) else {
            Issue.record("not refused")
            return
        }
        #expect(rejection.status == .requestHeaderFieldsTooLarge)
        #expect(HTTPRequestHead.parse(Array(over.utf8.prefix(99)), maxHeadBytes: 100) == .needMore)
    }

    @Test(
        "A valid head fed one byte at a time needs more until its last byte, then parses identically", arguments: valid)
    func incremental(_ valid: Valid) {
        let bytes = Array(valid.head.utf8)
        let whole = HTTPRequestHead.parse(bytes)
        for count in 0..<bytes.count {
            let result = HTTPRequestHead.parse(Array(bytes[..<count]))
            guard result == .needMore else {
                Issue.record("\(valid.name): \(result) after \(count) of \(bytes.count) bytes")
                return
            }
        }
        #expect(HTTPRequestHead.parse(bytes) == whole)
        if case .complete = whole {} else { Issue.record("\(valid.name) did not parse") }
    }

    @Test(
        "A hostile head fed one byte at a time is refused as soon as it shows, then the same way to the end",
        arguments: hostile)
    func incrementalHostile(name: String, head: String, status: Int) {
        let bytes = Array(head.utf8)
        let whole = HTTPRequestHead.parse(bytes)
        var refusedAt: Int?
        for count in 1...bytes.count {
            let result = HTTPRequestHead.parse(Array(bytes[..<count]))
            if let refusedAt {
                #expect(result == whole, "\(name): changed after being refused at \(refusedAt)")
            } else if result != .needMore {
                #expect(result == whole, "\(name): \(result) at \(count), \(whole) for the whole")
                refusedAt = count
            }
        }
        #expect(refusedAt != nil, "\(name) was never refused")
    }

    @Test("50 000 random and mutated inputs: no crash, and every answer is consistent")
    func randomInputs() {
        var generator = SplitMix64(seed: 0x5EED_F11E_0BE2)
        let seeds = Self.valid.map { Array($0.head.utf8) } + Self.hostile.map { Array($0.1.utf8) }
        let interesting: [UInt8] = [0x0D, 0x0A, 0x20, 0x09, 0x00, 0x3A, 0x2F, 0x3F, 0x7F, 0xFF, 0x23]
        var outcomes = [0, 0, 0]
        for round in 0..<50_000 {
            var bytes: [UInt8]
            if round % 3 == 0 {
                bytes = (0..<Int.random(in: 0...300, using: &generator)).map { _ in
                    UInt8.random(in: 0...255, using: &generator)
                }
            } else {
                bytes = seeds[Int.random(in: 0..<seeds.count, using: &generator)]
                for _ in 0...Int.random(in: 0...4, using: &generator) where !bytes.isEmpty {
                    let index = Int.random(in: 0..<bytes.count, using: &generator)
                    switch Int.random(in: 0..<4, using: &generator) {
                    case 0: bytes[index] = interesting[Int.random(in: 0..<interesting.count, using: &generator)]
                    case 1:
                        bytes.insert(interesting[Int.random(in: 0..<interesting.count, using: &generator)], at: index)
                    case 2: bytes.remove(at: index)
                    default: bytes = Array(bytes[..<index])
                    }
                }
            }
            let limit = round % 5 == 0 ? 64 : HTTPRequestHead.defaultMaxBytes
            switch HTTPRequestHead.parse(bytes, maxHeadBytes: limit) {
            case .needMore:
                outcomes[0] += 1
                #expect(bytes.count < limit)
            case .complete(let request, let consumed):
                outcomes[1] += 1
                #expect(consumed > 0 && consumed <= min(bytes.count, limit))
                #expect(Array(bytes[consumed - 4..<consumed]) == Array("\r\n\r\n".utf8))
                #expect(["GET", "HEAD"].contains(request.method) && request.path.hasPrefix("/"))
            case .invalid(let rejection):
                outcomes[2] += 1
                #expect([400, 405, 413, 431, 505].contains(rejection.status.code))
            }
        }
        // The mutations must reach every outcome, or this test proves little.
        #expect(outcomes.allSatisfy { $0 > 100 }, "needMore/complete/invalid: \(outcomes)")
    }
}
