import FileOpenConfiguration
import FileOpenServer
import FileOpenTestSupport
import Foundation
import Testing

/// The web configuration file (web_config_file) in exporter-toolkit's format: what it accepts, and a
/// table of malformed, oversized and hostile files, each refused with one line naming the key.
@Suite("Web configuration file: exporter-toolkit's format, strictly")
struct WebConfigurationFileTests {
    static let path = "/etc/fileopend/web-config.yml"
    /// bcrypt of "s3cret", cost 10.
    static let hash = "$2b$10$h7f8jwkK7mF8FjnNdQrK9.VyOa5ZyfMpSGFaDEn0kXV8HsEh4.RKu"

    static func parse(_ text: String) -> Result<WebSecurity, ConfigurationError> {
        Result { () throws(ConfigurationError) in try WebConfigurationFile.parse(Array(text.utf8), path: path) }
    }

    @Test("every key exporter-toolkit documents and fileopend implements, relative names from the file's directory")
    func everyKey() throws {
        let security = try Self.parse("""
            tls_server_config:
              cert_file: tls/server.crt
              key_file: /srv/server.key
              client_auth_type: RequireAndVerifyClientCert
              client_ca_file: ca.crt
              min_version: TLS13
              max_version: TLS13
              cipher_suites:
                - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
              prefer_server_cipher_suites: true
            http_server_config:
              http2: true
              headers:
                X-Frame-Options: deny
                X-Content-Type-Options: nosniff
                Strict-Transport-Security: max-age=31536000
            basic_auth_users:
              prometheus: \(Self.hash)
              "grafana agent": $2y$10$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG
            """).get()
        let tls = try #require(security.tls)
        #expect(tls.certFile == "/etc/fileopend/tls/server.crt")
        #expect(tls.keyFile == "/srv/server.key")
        #expect(tls.clientAuth == .requireAndVerifyClientCert)
        #expect(tls.clientCAFile == "/etc/fileopend/ca.crt")
        #expect(tls.minVersion == .tls13 && tls.maxVersion == .tls13)
        #expect(tls.cipherSuites == ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"])
        #expect(security.headers.map(\.name) == ["X-Frame-Options", "X-Content-Type-Options", "Strict-Transport-Security"])
        #expect(security.basicAuthUsers == ["prometheus": Self.hash, "grafana agent": "$2y$10$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG"])
    }

    @Test("an empty file, or a TLS section naming no file, is plain HTTP (as in exporter-toolkit); the defaults are TLS12-TLS13")
    func plainAndDefaults() throws {
        #expect(try Self.parse("").get() == WebSecurity())
        #expect(try Self.parse("# nothing\n").get() == WebSecurity())
        #expect(try Self.parse("tls_server_config:\n").get().tls == nil)
        #expect(try Self.parse("tls_server_config:\n  min_version: TLS13\n").get().tls == nil)
        let tls = try #require(try Self.parse("tls_server_config: {cert_file: a, key_file: b}").get().tls)
        #expect(tls.clientAuth == .noClientCert && tls.clientCAFile == nil)
        #expect(tls.minVersion == .tls12 && tls.maxVersion == .tls13)
    }

    @Test("malformed, unknown, unsupported and hostile input is refused in one line naming the key", arguments: [
        ("bogus: 1", "unknown key 'bogus' in the file; known keys: tls_server_config, http_server_config, basic_auth_users"),
        ("tls_server_config:\n  cert_fil: a", "unknown key 'cert_fil' in tls_server_config (did you mean 'cert_file'?)"),
        ("tls_server_config:\n  cert: PEM", "tls_server_config.cert is not supported by fileopend (docs/tls.md)"),
        ("tls_server_config:\n  client_allowed_sans: [a]", "tls_server_config.client_allowed_sans is not supported by fileopend (docs/tls.md)"),
        ("rate_limit: {interval: 1s}", "rate_limit is not supported by fileopend (docs/tls.md)"),
        ("tls_server_config:\n  cert_file: a", "tls_server_config: missing key_file"),
        ("tls_server_config:\n  key_file: a", "tls_server_config: missing cert_file"),
        ("tls_server_config: {cert_file: a, key_file: b, client_auth_type: Always}",
         "tls_server_config.client_auth_type: invalid 'Always'; allowed: NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven or RequireAndVerifyClientCert"),
        ("tls_server_config: {cert_file: a, key_file: b, client_ca_file: c}",
         "tls_server_config: client_ca_file is set but client_auth_type is NoClientCert (set RequireAndVerifyClientCert)"),
        ("tls_server_config: {cert_file: a, key_file: b, client_auth_type: RequireAndVerifyClientCert}",
         "tls_server_config: client_auth_type RequireAndVerifyClientCert needs client_ca_file"),
        ("tls_server_config: {cert_file: a, key_file: b, min_version: TLS10}",
         "tls_server_config.min_version: not supported 'TLS10'; allowed: TLS12 or TLS13"),
        ("tls_server_config: {cert_file: a, key_file: b, max_version: SSL3}",
         "tls_server_config.max_version: invalid 'SSL3'; allowed: TLS12 or TLS13"),
        ("tls_server_config: {cert_file: a, key_file: b, min_version: TLS13, max_version: TLS12}",
         "tls_server_config: min_version TLS13 is above max_version TLS12"),
        ("tls_server_config: {cert_file: [a], key_file: b}", "tls_server_config.cert_file: a list where a single value belongs"),
        ("tls_server_config: [a]", "tls_server_config: a list where a mapping belongs"),
        ("tls_server_config: {cert_file: a, key_file: b, cipher_suites: x}",
         "tls_server_config.cipher_suites: a single value where a list belongs"),
        ("tls_server_config: {cert_file: a, key_file: b, prefer_server_cipher_suites: maybe}",
         "tls_server_config.prefer_server_cipher_suites: not true or false"),
        ("basic_auth_users:\n  prometheus: s3cret", "basic_auth_users.prometheus: not a bcrypt hash ($2a$, $2b$ or $2y$; e.g. htpasswd -nBC 10 \"\" | tr -d ':\\n')"),
        ("basic_auth_users:\n  prometheus: $6$salt$sha512crypt", "basic_auth_users.prometheus: not a bcrypt hash ($2a$, $2b$ or $2y$; e.g. htpasswd -nBC 10 \"\" | tr -d ':\\n')"),
        ("basic_auth_users:\n  \"a:b\": \(hash)", "basic_auth_users: user 'a:b' holds ':', which basic authentication cannot carry"),
        ("basic_auth_users: [a]", "basic_auth_users: a list where a mapping of user: bcrypt hash belongs"),
        ("http_server_config:\n  headers:\n    Set-Cookie: x", "unknown key 'Set-Cookie' in http_server_config.headers; known keys: Content-Security-Policy, X-Frame-Options, X-Content-Type-Options, X-XSS-Protection, Strict-Transport-Security"),
        ("http_server_config:\n  headers:\n    X-Frame-Options: \"deny\\r\\nSet-Cookie: a=b\"", "http_server_config.headers.X-Frame-Options: holds a control character"),
        ("http_server_config:\n  headers:\n    X-Frame-Options: allow", "http_server_config.headers.X-Frame-Options: invalid 'allow'; allowed: deny or sameorigin"),
        ("http_server_config:\n  headers:\n    X-Content-Type-Options: sniff", "http_server_config.headers.X-Content-Type-Options: invalid 'sniff'; allowed: nosniff"),
        ("http_server_config:\n  http2: sometimes", "http_server_config.http2: not true or false"),
        ("- a\n- b", "the file: a list where a mapping belongs"),
        ("basic_auth_users: &u {a: \(hash)}\nhttp_server_config: *u", "unknown key 'a' in http_server_config; known keys: headers, http2"),
    ])
    func refusals(text: String, problem: String) {
        guard case .failure(let error) = Self.parse(text) else {
            Issue.record("accepted: \(text)")
            return
        }
        #expect(error.description == "invalid web configuration file \(Self.path): \(problem)")
        #expect(!error.description.contains("\n"))
    }

    @Test("malformed YAML, duplicate keys, bytes that are not UTF-8 and an oversized file are refused in one line")
    func malformed() {
        let selfReferring = "tls_server_config: &a {cert_file: *a}"
        for text in ["tls_server_config: {cert_file: a", "basic_auth_users:\n  a: x\n  a: y", "a: [\n", selfReferring] {
            guard case .failure(let error) = Self.parse(text) else {
                Issue.record("accepted: \(text)")
                continue
            }
            #expect(!error.description.contains("\n") && error.description.contains(Self.path), "\(error)")
        }
        let notUTF8 = Result { () throws(ConfigurationError) in try WebConfigurationFile.parse([0x61, 0x3A, 0x20, 0xFF], path: Self.path) }
        #expect(throws: ConfigurationError.malformedYAML(path: Self.path, line: nil, column: nil, problem: "not UTF-8 text")) { try notUTF8.get() }
        let oversized = Array("# \(String(repeating: "x", count: WebConfigurationFile.maximumBytes))\n".utf8)
        #expect(throws: ConfigurationError.invalidWebConfiguration(path: Self.path, problem: "larger than 1048576 bytes")) {
            try WebConfigurationFile.parse(oversized, path: Self.path)
        }
    }

    @Test("load reads the certificate and key: a missing or mismatched file is refused with OpenSSL's reason")
    func loadChecksFiles() throws {
        let directory = try TestEnvironment.makeScratchDirectory("webconfig")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("web.yml").path
        try "tls_server_config: {cert_file: missing.crt, key_file: missing.key}\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect {
            try WebConfigurationFile.load(path: file)
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("invalid web configuration file \(file): TLS: cert_file \(directory.path)/missing.crt: ")
                && !text.contains("\n")
        }
        #expect(throws: ConfigurationError.unreadableFile(path: directory.path + "/absent.yml", reason: "No such file or directory")) {
            try WebConfigurationFile.load(path: directory.path + "/absent.yml")
        }
    }
}
