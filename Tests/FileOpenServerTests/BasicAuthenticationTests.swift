import FileOpenServer
import FileOpenTestSupport
import Foundation
import Testing

/// Basic authentication (web_config_file's basic_auth_users) on a real server: the right password
/// gets in; every malformed, oversized or hostile Authorization field gets 401 with
/// `WWW-Authenticate: Basic`, and the connection goes on serving.
@Suite("HTTP server: basic authentication against bcrypt hashes")
struct BasicAuthenticationTests {
    /// bcrypt (cost 10, libxcrypt) of "s3cret".
    static let hash = "$2b$10$h7f8jwkK7mF8FjnNdQrK9.VyOa5ZyfMpSGFaDEn0kXV8HsEh4.RKu"

    static func fixture(headers: [(name: String, value: String)] = []) throws -> ServerFixture {
        var web = WebSecurity()
        web.basicAuthUsers = ["prometheus": hash]
        web.headers = headers
        return try ServerFixture(web: web)
    }

    static func basic(_ credentials: [UInt8]) -> String {
        "Authorization: Basic \(Data(credentials).base64EncodedString())\r\n"
    }

    @Test("the right user and password get the page; the answer is cached, so the second costs no bcrypt")
    func admitted() throws {
        let fixture = try Self.fixture(headers: [("X-Frame-Options", "deny")])
        let started = ContinuousClock.now
        let first = try fixture.get("/", headers: Self.basic(Array("prometheus:s3cret".utf8)))
        #expect(first.status == 200 && first.text == "hello\n")
        #expect(first.headers["X-Frame-Options"] == "deny")
        let bcrypt = ContinuousClock.now - started
        // A keep-alive scraper's next requests, remembered: far below one bcrypt each.
        let client = try fixture.client()
        let again = ContinuousClock.now
        for _ in 0..<20 {
            try client.send("GET / HTTP/1.1\r\nHost: t\r\n\(Self.basic(Array("prometheus:s3cret".utf8)))\r\n")
            #expect(try client.readResponse().status == 200)
        }
        #expect(ContinuousClock.now - again < bcrypt * 10, "20 cached checks took longer than 10 bcrypts (\(bcrypt) each)")
    }

    @Test("missing, wrong, malformed, oversized and hostile credentials get 401 with WWW-Authenticate: Basic", arguments: [
        "",
        basic(Array("prometheus:wrong".utf8)),
        basic(Array("nobody:s3cret".utf8)),
        basic(Array("prometheus".utf8)),
        basic(Array("prometheus:s3cret\u{0}".utf8)),
        basic(Array("prometheus:s3cret".utf8) + [0xFF]),
        basic([0xFF, 0xFE] + Array(":s3cret".utf8)),
        basic([]),
        "Authorization: Bearer cHJvbWV0aGV1czpzM2NyZXQ=\r\n",
        "Authorization: Basic\r\n",
        "Authorization: Basic cHJvbWV0aGV1czpzM2NyZXQ\r\n",
        "Authorization: Basic cHJvbWV0aGV1czpzM2NyZXQ===\r\n",
        "Authorization: Basic !!!!cHJvbWV0aGV1czpzM2NyZXQ=\r\n",
        "Authorization: Basic \(String(repeating: "QUFB", count: 1900))\r\n",
        "Authorization: Basic cHJvbWV0aGV1czpzM2NyZXQ=\r\nAuthorization: Basic cHJvbWV0aGV1czpzM2NyZXQ=\r\n",
    ])
    func refused(header: String) throws {
        let fixture = try Self.fixture()
        let client = try fixture.client()
        try client.send("GET / HTTP/1.1\r\nHost: t\r\n\(header)\r\n")
        let response = try client.readResponse()
        #expect(response.status == 401 && response.reason == "Unauthorized", "\(header.prefix(80))")
        #expect(response.headers["WWW-Authenticate"] == "Basic")
        // The connection stays usable: the next request, with the password, is answered.
        try client.send("GET / HTTP/1.1\r\nHost: t\r\n\(Self.basic(Array("prometheus:s3cret".utf8)))\r\n")
        #expect(try client.readResponse().status == 200)
        #expect(fixture.server.statistics.requestsByStatus[401] == 1)
    }

    @Test("a bcrypt hash is recognised by libxcrypt; other crypt methods and text are not")
    func hashes() {
        #expect(WebSecurity.isBcryptHash(Self.hash))
        #expect(WebSecurity.isBcryptHash("$2y$10$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG"))
        #expect(!WebSecurity.isBcryptHash("$6$saltsalt$abc"))
        #expect(!WebSecurity.isBcryptHash("s3cret"))
        #expect(!WebSecurity.isBcryptHash(""))
        #expect(!WebSecurity.isBcryptHash("$2b$"))
    }

    @Test("a running plain server refuses to become a TLS one (that needs a restart), and keeps serving")
    func transportSwitchRefused() throws {
        let fixture = try Self.fixture()
        var web = WebSecurity()
        web.tls = WebSecurity.TLS(certFile: "/nonexistent.crt", keyFile: "/nonexistent.key")
        #expect(throws: ServerError.self) { try fixture.server.configure(web) }
        #expect(!fixture.server.servesTLS)
        #expect(try fixture.get("/", headers: Self.basic(Array("prometheus:s3cret".utf8))).status == 200)
        // Users can change while it runs.
        try fixture.server.configure(WebSecurity())
        #expect(try fixture.get("/").status == 200)
    }
}
