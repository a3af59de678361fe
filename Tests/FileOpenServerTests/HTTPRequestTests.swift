import FileOpenServer
import Testing

/// Content negotiation and connection semantics of a parsed request.
@Suite("Request semantics")
struct HTTPRequestTests {
    static func request(version: HTTPRequest.Version = .http1_1, _ headers: HTTPHeaders) -> HTTPRequest {
        HTTPRequest(method: "GET", target: "/", path: "/", query: nil, version: version, headers: headers)
    }

    @Test(
        "Accept-Encoding decides gzip, with q-values and *",
        arguments: [
            (nil, false), ("gzip", true), ("GZIP", true), ("x-gzip", true), ("deflate, gzip;q=0.5", true),
            ("gzip;q=0", false), ("gzip; q=0", false), ("gzip;q=0.000", false), ("gzip;q=0.001", true),
            ("gzip;q=0, *", false), ("*", true), ("*;q=0", false), ("br, *;q=0.1", true), ("identity", false),
            ("", false), ("gzip;q=abc", false), ("gzip;q=1.5", false), ("deflate, br", false),
            ("gzip, deflate, br, zstd", true),
        ] as [(String?, Bool)])
    func acceptsGzip(header: String?, expected: Bool) {
        let headers: HTTPHeaders = header.map { ["Accept-Encoding": $0] } ?? [:]
        #expect(Self.request(headers).acceptsGzip == expected, "\(header ?? "no header")")
    }

    @Test("Several Accept-Encoding fields are one list")
    func acceptEncodingFields() {
        #expect(Self.request(["Accept-Encoding": "br", "Accept-Encoding": "gzip"]).acceptsGzip)
        #expect(!Self.request(["Accept-Encoding": "*", "Accept-Encoding": "gzip;q=0"]).acceptsGzip)
    }

    @Test(
        "Keep-alive: HTTP/1.1 unless close, HTTP/1.0 only with keep-alive",
        arguments: [
            (HTTPRequest.Version.http1_1, nil, true), (.http1_1, "close", false), (.http1_1, "Close", false),
            (.http1_1, "keep-alive, close", false), (.http1_1, "keep-alive", true), (.http1_1, "Upgrade", true),
            (.http1_0, nil, false), (.http1_0, "keep-alive", true), (.http1_0, "Keep-Alive", true),
            (.http1_0, "close", false),
        ] as [(HTTPRequest.Version, String?, Bool)])
    func keepAlive(version: HTTPRequest.Version, connection: String?, expected: Bool) {
        let headers: HTTPHeaders = connection.map { ["Connection": $0] } ?? [:]
        #expect(Self.request(version: version, headers).keepAlive == expected)
    }

    static let prometheusAccept =
        "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,"
        + "application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,"
        + "text/plain;version=0.0.4;q=0.2,*/*;q=0.1"

    @Test(
        "Accept: the most specific range decides, with q-values",
        arguments: [
            (nil, "text/plain", 1.0),
            (prometheusAccept, "application/openmetrics-text", 0.5),
            (prometheusAccept, "text/plain", 0.3),
            (prometheusAccept, "application/json", 0.1),
            ("text/plain", "application/openmetrics-text", 0.0),
            ("text/*;q=0.7", "text/plain", 0.7),
            ("text/plain;q=0, */*", "text/plain", 0.0),
            ("TEXT/Plain", "text/plain; version=0.0.4", 1.0),
            ("text/plain;foo=\"a,b;q=0.9\";q=0.4", "text/plain", 0.4),
            ("text/plain;q=2", "text/plain", 0.0),
        ] as [(String?, String, Double)])
    func acceptQuality(header: String?, mediaType: String, expected: Double) {
        let request = Self.request(header.map { ["Accept": $0] } ?? [:])
        #expect(request.acceptQuality(forMediaType: mediaType) == expected)
        #expect(request.accepts(mediaType: mediaType) == (expected > 0))
        #expect(request.accept == header)
    }

    @Test("The router: handler, 404, 405 with Allow, HEAD goes to the GET handler")
    func router() {
        var router = HTTPRouter()
        router.route("/metrics") { request in .text("m \(request.method)") }
        #expect(router.paths == ["/metrics"])
        let get = HTTPRequest(
            method: "GET", target: "/metrics?x", path: "/metrics", query: "x", version: .http1_1, headers: [:])
        #expect(router.response(for: get).body == Array("m GET".utf8))
        let head = HTTPRequest(
            method: "HEAD", target: "/metrics", path: "/metrics", query: nil, version: .http1_1, headers: [:])
        #expect(router.response(for: head).body == Array("m HEAD".utf8))
        let missing = HTTPRequest(
            method: "GET", target: "/metrics/", path: "/metrics/", query: nil, version: .http1_1, headers: [:])
        #expect(router.response(for: missing).status == .notFound)
        let post = HTTPRequest(
            method: "POST", target: "/metrics", path: "/metrics", query: nil, version: .http1_1, headers: [:])
        let refused = router.response(for: post)
        #expect(refused.status == .methodNotAllowed && refused.headers["allow"] == "GET, HEAD")
    }
}
