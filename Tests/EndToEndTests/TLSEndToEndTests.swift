import CTestSupport
import FileOpenTestSupport
import Foundation
import Testing

/// /metrics over TLS with client certificates and basic authentication (web_config_file), met
/// with real clients: a real Prometheus, curl, openssl-made certificates, raw sockets that stall a
/// handshake; and the shipped example checked by promtool and by the daemon.
@Suite(
    "fileopend /metrics over TLS",
    .serialized,
    .enabled(if: TestEnvironment.canRunKernelTests, Comment(rawValue: TestEnvironment.kernelTestsSkipReason))
)
struct TLSEndToEndTests {
    /// bcrypt (cost 10) of `password`, made by libxcrypt.
    static let hash = "$2b$10$h7f8jwkK7mF8FjnNdQrK9.VyOa5ZyfMpSGFaDEn0kXV8HsEh4.RKu"
    static let password = "s3cret"

    /// A CA, a server certificate for 127.0.0.1 and localhost, a client certificate it signed, and
    /// one signed by another CA; all made here with openssl(1).
    final class Certificates {
        let directory: URL

        init() throws {
            directory = try TestEnvironment.makeScratchDirectory("tls")
            try make()
        }

        deinit {
            try? FileManager.default.removeItem(at: directory)
        }

        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

        func openssl(_ arguments: [String]) throws {
            let result = try CommandResult.run("/usr/bin/openssl", arguments)
            guard result.status == 0 else { throw TestFailure("openssl \(arguments.joined(separator: " ")): \(result.errorOutput)") }
        }

        /// A self-signed CA `name`.crt/.key.
        func authority(_ name: String) throws {
            try openssl([
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", path("\(name).key"), "-out", path("\(name).crt"), "-days", "2", "-subj", "/CN=\(name)",
            ])
        }

        /// `name`.crt/.key signed by `ca`, with subjectAltName `san` if given.
        func leaf(_ name: String, subject: String, signedBy ca: String, san: String? = nil) throws {
            try openssl([
                "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", path("\(name).key"), "-out", path("\(name).csr"), "-subj", "/CN=\(subject)",
            ])
            var arguments = [
                "x509", "-req", "-in", path("\(name).csr"), "-CA", path("\(ca).crt"), "-CAkey", path("\(ca).key"),
                "-CAcreateserial", "-out", path("\(name).crt"), "-days", "2",
            ]
            if let san {
                try "subjectAltName=\(san)\n".write(toFile: path("\(name).ext"), atomically: true, encoding: .utf8)
                arguments += ["-extfile", path("\(name).ext")]
            }
            try openssl(arguments)
        }

        private func make() throws {
            try authority("ca")
            try authority("other-ca")
            try leaf("server", subject: "localhost", signedBy: "ca", san: "DNS:localhost,IP:127.0.0.1")
            try leaf("client", subject: "prometheus", signedBy: "ca")
            try leaf("stranger", subject: "stranger", signedBy: "other-ca")
        }

        /// A web configuration: TLS with `clientAuth`, and the user prometheus.
        func webConfig(clientAuth: String = "RequireAndVerifyClientCert", users: [String: String] = ["prometheus": TLSEndToEndTests.hash]) throws -> String {
            let file = path("web.yml")
            try write(webConfig: file, clientAuth: clientAuth, users: users)
            return file
        }

        func write(webConfig file: String, clientAuth: String, users: [String: String], cert: String = "server") throws {
            let userLines = users.sorted { $0.key < $1.key }.map { "  \($0.key): \($0.value)" }.joined(separator: "\n")
            try """
                tls_server_config:
                  cert_file: \(cert).crt
                  key_file: \(cert).key
                  client_auth_type: \(clientAuth)
                  client_ca_file: ca.crt
                http_server_config:
                  headers:
                    X-Content-Type-Options: nosniff
                basic_auth_users:
                \(userLines)

                """.write(toFile: file, atomically: true, encoding: .utf8)
        }
    }

    /// The daemon with `webConfig`, and its port once it serves (from "serving metrics on https://...").
    static func startDaemon(webConfig: String) throws -> (DaemonProcess, Int) {
        TestEnvironment.ensureTracefs()
        let daemon = try DaemonProcess("fileopend", DaemonProcess.isolatedArguments() + ["--web-config-file", webConfig, "--log-level", "debug"])
        var port: Int?
        _ = TestEnvironment.waitUntil {
            let log = daemon.errorOutput
            guard let range = log.range(of: #"serving metrics on https://127\.0\.0\.1:[0-9]+/metrics"#, options: .regularExpression)
            else { return false }
            port = Int(log[range].dropFirst("serving metrics on https://127.0.0.1:".count).dropLast("/metrics".count))
            return true
        }
        guard let port else {
            daemon.signal(SIGKILL)
            throw TestFailure("the daemon did not start serving over TLS: \(daemon.errorOutput)")
        }
        return (daemon, port)
    }

    /// curl of /metrics with `arguments`: the exit status, the body (or what -D/-w print) and stderr.
    static func curl(_ port: Int, _ arguments: [String], path: String = "/metrics", scheme: String = "https") throws -> CommandResult {
        try CommandResult.run("/usr/bin/curl", ["-sS", "--max-time", "10"] + arguments + ["\(scheme)://127.0.0.1:\(port)\(path)"])
    }

    /// Everything a scraper needs: the CA, the client certificate, the password.
    static func trusted(_ certificates: Certificates) -> [String] {
        ["--cacert", certificates.path("ca.crt"), "--cert", certificates.path("client.crt"), "--key", certificates.path("client.key"),
         "-u", "prometheus:\(password)"]
    }

    /// One series of a scrape made with every credential.
    static func value(_ series: String, port: Int, _ certificates: Certificates) throws -> Double? {
        MetricsClient.samples(try curl(port, trusted(certificates)).output)[series]
    }

    @Test("a real Prometheus scrapes over TLS with a client certificate and basic auth: up is 1 and the exact count arrives")
    func realPrometheus() throws {
        let certificates = try Certificates()
        let (daemon, port) = try Self.startDaemon(webConfig: try certificates.webConfig())
        defer { daemon.stop() }
        // The scrape job as docs/fleet.md gives it, pointed at this daemon.
        let config = """
            global:
              scrape_interval: 15s
              scrape_timeout: 10s
              evaluation_interval: 15s
            scrape_configs:
              - job_name: fileopend
                scheme: https
                tls_config:
                  ca_file: ca.crt
                  cert_file: client.crt
                  key_file: client.key
                basic_auth:
                  username: prometheus
                  password: \(Self.password)
                static_configs:
                  - targets: ["127.0.0.1:\(port)"]
            """
        var files: [String: Data] = [:]
        for name in ["ca.crt", "client.crt", "client.key"] {
            files[name] = try Data(contentsOf: URL(fileURLWithPath: certificates.path(name)))
        }
        let prometheus = try PrometheusServer(config: config, files: files)
        let comm = MetricsEndpointTests.uniqueComm("tls")
        let pid = MetricsEndpointTests.runOpener(comm: comm, path: "/nonexistent/fo-tls", count: 29)

        var result: [([String: String], String)] = []
        let scraped = try TestEnvironment.waitUntil(timeout: .seconds(30)) {
            result = try prometheus.query(#"fileopen_process_opens_total{comm="\#(comm)"}"#)
            return !result.isEmpty
        }
        #expect(scraped, "Prometheus log: \(prometheus.process.errorOutput)")
        #expect(result.first?.0["pid"] == String(pid))
        #expect(result.first?.1 == "29")
        #expect(try prometheus.query(#"up{job="fileopend"}"#).first?.1 == "1")
        // Every scrape got through: not one refused handshake, not one 401.
        #expect(try Self.value("fileopen_http_tls_handshake_failures_total", port: port, certificates) == 0)
        #expect(try Self.value(#"fileopen_http_requests_total{code="401"}"#, port: port, certificates) == 0)
    }

    @Test("curl without the CA, the client certificate or the password gets the right refusal; each failed handshake is counted")
    func refusals() throws {
        let certificates = try Certificates()
        let (daemon, port) = try Self.startDaemon(webConfig: try certificates.webConfig())
        defer { daemon.stop() }
        let ca = ["--cacert", certificates.path("ca.crt")]
        let client = ["--cert", certificates.path("client.crt"), "--key", certificates.path("client.key")]

        // Everything: 200, with the configured header field.
        let ok = try Self.curl(port, Self.trusted(certificates) + ["-D", "-", "-o", "/dev/null"])
        #expect(ok.status == 0 && ok.output.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(ok.output) \(ok.errorOutput)")
        #expect(ok.output.contains("\r\nX-Content-Type-Options: nosniff\r\n"))

        // No client certificate under RequireAndVerifyClientCert: the handshake fails. TLS 1.3
        // finishes the client's side first, so curl reports the server's alert ("certificate
        // required", 56) or the closed connection (55, 35), by timing.
        let noCert = try Self.curl(port, ca + ["-u", "prometheus:\(Self.password)", "-o", "/dev/null", "-w", "%{http_code}"])
        #expect([35, 55, 56].contains(noCert.status) && noCert.output == "000", "\(noCert.status): \(noCert.errorOutput)")
        // A certificate from another CA: refused too.
        let stranger = try Self.curl(port, ca + ["--cert", certificates.path("stranger.crt"), "--key", certificates.path("stranger.key"), "-u", "prometheus:\(Self.password)"])
        #expect(stranger.status != 0, "\(stranger.errorOutput)")
        // Without the CA, curl cannot verify the server (exit 60) and aborts the handshake.
        let noCA = try Self.curl(port, client + ["-u", "prometheus:\(Self.password)"])
        #expect(noCA.status == 60, "\(noCA.errorOutput)")

        // The right certificate, no or a wrong password: 401 with WWW-Authenticate: Basic.
        for credentials in [[], ["-u", "prometheus:wrong"], ["-u", "nobody:\(Self.password)"]] {
            let denied = try Self.curl(port, ca + client + credentials + ["-D", "-", "-o", "/dev/null"])
            #expect(denied.output.hasPrefix("HTTP/1.1 401 Unauthorized\r\n"), "\(credentials): \(denied.output)")
            #expect(denied.output.contains("\r\nWWW-Authenticate: Basic\r\n"), "\(denied.output)")
        }
        // Every route is protected, as in exporter-toolkit.
        #expect(try Self.curl(port, ca + client + ["-o", "/dev/null", "-w", "%{http_code}"], path: "/healthz").output == "401")

        // Plain HTTP to the TLS port: told so in plain HTTP, as Go's server does, then closed.
        let plain = try Self.curl(port, ["-D", "-"], scheme: "http")
        #expect(plain.output.hasPrefix("HTTP/1.0 400 Bad Request\r\n"), "\(plain.output) \(plain.errorOutput)")
        #expect(plain.output.hasSuffix("Client sent an HTTP request to an HTTPS server.\n"))

        // Counted: no certificate, the stranger's, curl's abort without the CA, plain HTTP.
        #expect(try Self.value("fileopen_http_tls_handshake_failures_total", port: port, certificates) == 4)
        #expect(try Self.value(#"fileopen_http_requests_total{code="401"}"#, port: port, certificates) == 4)
        // Logged at debug only, never as a warning per connection.
        #expect(daemon.errorOutput.contains("debug fileopend: [FileOpenServer] HTTP listener: TLS handshake failed"))
        #expect(!daemon.errorOutput.contains("warning fileopend: [FileOpenServer] HTTP listener: TLS"))
    }

    @Test("RequestClientCert and NoClientCert let a client in without a certificate; basic auth still applies")
    func optionalClientCertificates() throws {
        let certificates = try Certificates()
        for auth in ["NoClientCert", "RequestClientCert"] {
            let file = certificates.path("web-\(auth).yml")
            try certificates.write(webConfig: file, clientAuth: auth, users: ["prometheus": Self.hash])
            // NoClientCert refuses a CA file, as exporter-toolkit does.
            if auth == "NoClientCert" {
                let text = try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "  client_ca_file: ca.crt\n", with: "")
                try text.write(toFile: file, atomically: true, encoding: .utf8)
            }
            let (daemon, port) = try Self.startDaemon(webConfig: file)
            defer { daemon.stop() }
            let ca = ["--cacert", certificates.path("ca.crt")]
            #expect(try Self.curl(port, ca + ["-u", "prometheus:\(Self.password)", "-o", "/dev/null", "-w", "%{http_code}"]).output == "200", "\(auth)")
            #expect(try Self.curl(port, ca + ["-o", "/dev/null", "-w", "%{http_code}"]).output == "401", "\(auth)")
        }
    }

    @Test("min_version, max_version and cipher_suites hold: what they leave out fails the handshake")
    func versionsAndSuites() throws {
        let certificates = try Certificates()
        let ca = ["--cacert", certificates.path("ca.crt"), "-u", "prometheus:\(Self.password)", "-o", "/dev/null", "-w", "%{http_code}"]
        // TLS 1.2 only, one suite (the server's key is ECDSA P-256).
        let twelve = certificates.path("web-tls12.yml")
        try """
            tls_server_config:
              cert_file: server.crt
              key_file: server.key
              max_version: TLS12
              cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]
            basic_auth_users:
              prometheus: \(Self.hash)

            """.write(toFile: twelve, atomically: true, encoding: .utf8)
        do {
            let (daemon, port) = try Self.startDaemon(webConfig: twelve)
            defer { daemon.stop() }
            #expect(try Self.curl(port, ca + ["--tls-max", "1.2", "--ciphers", "ECDHE-ECDSA-AES256-GCM-SHA384"]).output == "200")
            #expect(try Self.curl(port, ca + ["--tls-max", "1.2", "--ciphers", "ECDHE-ECDSA-AES128-GCM-SHA256"]).status == 35)
            #expect(try Self.curl(port, ca + ["--tlsv1.3"]).status == 35)
        }
        // TLS 1.3 only.
        let thirteen = certificates.path("web-tls13.yml")
        try String(contentsOfFile: twelve, encoding: .utf8)
            .replacingOccurrences(of: "  max_version: TLS12\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]\n", with: "  min_version: TLS13\n")
            .write(toFile: thirteen, atomically: true, encoding: .utf8)
        let (daemon, port) = try Self.startDaemon(webConfig: thirteen)
        defer { daemon.stop() }
        #expect(try Self.curl(port, ca + ["--tls-max", "1.2"]).status == 35)
        #expect(try Self.curl(port, ca + ["--tlsv1.3"]).output == "200")
        #expect(try Self.value("fileopen_http_tls_handshake_failures_total", port: port, certificates) == 1)
    }

    @Test("stalled TLS handshakes do not delay a scrape and are closed at the head timeout, counted")
    func stalledHandshakes() throws {
        let certificates = try Certificates()
        let (daemon, port) = try Self.startDaemon(webConfig: try certificates.webConfig())
        defer { daemon.stop() }
        // 40 connections that send nothing, and one that sends half a ClientHello.
        var stalled: [Int32] = []
        defer { for fd in stalled { close(fd) } }
        for _ in 0..<41 { stalled.append(try Self.connect(port: port)) }
        let halfHello: [UInt8] = [0x16, 0x03, 0x01, 0x00, 0xC8, 0x01, 0x00, 0x00, 0xC4, 0x03, 0x03]
        #expect(send(stalled[40], halfHello, halfHello.count, Int32(MSG_NOSIGNAL)) == halfHello.count)

        // Meanwhile scrapes are answered at once.
        let started = ContinuousClock.now
        for _ in 0..<5 {
            let scrape = try Self.curl(port, Self.trusted(certificates) + ["-o", "/dev/null", "-w", "%{http_code}"])
            #expect(scrape.output == "200", "\(scrape.errorOutput)")
        }
        let elapsed = ContinuousClock.now - started
        #expect(elapsed < .seconds(5), "5 scrapes beside 41 stalled handshakes took \(elapsed)")

        // The head timeout (10 s from the accept) closes every one of them; nothing was written.
        let closed = TestEnvironment.waitUntil(timeout: .seconds(15)) {
            stalled.allSatisfy { fd in
                var byte: UInt8 = 0
                return recv(fd, &byte, 1, Int32(MSG_DONTWAIT)) == 0
            }
        }
        #expect(closed, "a stalled handshake outlived the head timeout")
        #expect(try Self.value(#"fileopen_http_timeouts_total{kind="head"}"#, port: port, certificates) == 41)
        #expect(try Self.value("fileopen_http_tls_handshake_failures_total", port: port, certificates) == 0)
    }

    @Test("a reload reads the file and the certificates again; a bad file keeps the running configuration, logged with the reason")
    func reload() throws {
        let certificates = try Certificates()
        let file = try certificates.webConfig()
        let (daemon, port) = try Self.startDaemon(webConfig: file)
        defer { daemon.stop() }
        let ca = ["--cacert", certificates.path("ca.crt")]
        let client = ["--cert", certificates.path("client.crt"), "--key", certificates.path("client.key")]
        func status(_ user: String) throws -> String {
            try Self.curl(port, ca + client + ["-u", "\(user):\(Self.password)", "-o", "/dev/null", "-w", "%{http_code}"]).output
        }
        func subject() throws -> String {
            let verbose = try Self.curl(port, ca + client + ["-u", "prometheus:\(Self.password)", "-v", "-o", "/dev/null"])
            return verbose.errorOutput.split(separator: "\n").first { $0.contains("subject: CN=") }.map(String.init) ?? ""
        }
        #expect(try status("prometheus") == "200")
        #expect(try subject().hasSuffix("subject: CN=localhost"))

        // A new user and a renewed certificate (another subject), in place: SIGHUP applies both.
        try certificates.leaf("renewed", subject: "localhost-renewed", signedBy: "ca", san: "DNS:localhost,IP:127.0.0.1")
        try certificates.write(webConfig: file, clientAuth: "RequireAndVerifyClientCert", users: ["agent": Self.hash], cert: "renewed")
        daemon.signal(SIGHUP)
        #expect(TestEnvironment.waitUntil { (try? status("agent")) == "200" }, "\(daemon.errorOutput)")
        #expect(try status("prometheus") == "401")
        #expect(try subject().hasSuffix("subject: CN=localhost-renewed"))

        // A file that does not validate: refused with its reason, the running configuration stays.
        try "tls_server_config:\n  cert_file: renewed.crt\n  key_file: renewed.key\n  bogus: 1\n".write(toFile: file, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        #expect(TestEnvironment.waitUntil { daemon.errorOutput.contains("unknown key 'bogus' in tls_server_config") })
        #expect(daemon.errorOutput.contains("configuration reload refused, keeping the running configuration: invalid web configuration file \(file)"))
        #expect(try status("agent") == "200")

        // A key that does not match the certificate: OpenSSL's reason, nothing changes.
        try certificates.write(webConfig: file, clientAuth: "RequireAndVerifyClientCert", users: ["agent": Self.hash], cert: "renewed")
        try FileManager.default.removeItem(atPath: certificates.path("renewed.key"))
        try FileManager.default.copyItem(atPath: certificates.path("client.key"), toPath: certificates.path("renewed.key"))
        daemon.signal(SIGHUP)
        #expect(TestEnvironment.waitUntil { daemon.errorOutput.contains("TLS: key_file \(certificates.path("renewed.key"))") }, "\(daemon.errorOutput)")
        #expect(try status("agent") == "200")
        #expect(try subject().hasSuffix("subject: CN=localhost-renewed"))
    }

    @Test("promtool check web-config and fileopend --check-config accept the shipped example")
    func shippedExample() throws {
        let certificates = try Certificates()
        let example = PrometheusServer.repository.appendingPathComponent("config/web-config.example.yml")
        // The example names tls/fileopend.crt, tls/fileopend.key and tls/clients-ca.crt beside it.
        let tls = certificates.directory.appendingPathComponent("tls")
        try FileManager.default.createDirectory(at: tls, withIntermediateDirectories: true)
        for (from, to) in [("server.crt", "fileopend.crt"), ("server.key", "fileopend.key"), ("ca.crt", "clients-ca.crt")] {
            try FileManager.default.copyItem(atPath: certificates.path(from), toPath: tls.appendingPathComponent(to).path)
        }
        let file = certificates.path("web-config.yml")
        try FileManager.default.copyItem(atPath: example.path, toPath: file)

        let promtool = try CommandResult.run("/usr/bin/promtool", ["check", "web-config", file])
        #expect(promtool.status == 0, "promtool: \(promtool.output) \(promtool.errorOutput)")
        // Through the environment variable, as every key can be given.
        let valid = try CommandResult.run(
            "/usr/bin/env", ["FILEOPEND_WEB_CONFIG_FILE=\(file)", ChildProcess.binDirectory.appendingPathComponent("fileopend").path, "--check-config"])
        #expect(valid.status == 0, "\(valid.errorOutput)")
        #expect(valid.output.contains("# web configuration file \(file): valid (TLS TLS12-TLS13, client certificates RequireAndVerifyClientCert, basic authentication (1 users), 2 extra header fields)"), "\(valid.output)")

        // The same file without its certificates: refused at --check-config, naming the file.
        try FileManager.default.removeItem(at: tls)
        let missing = try CommandResult.run(
            ChildProcess.binDirectory.appendingPathComponent("fileopend").path, ["--check-config", "--web-config-file", file])
        #expect(missing.status == 78)
        #expect(missing.errorOutput.hasPrefix("fileopend: invalid web configuration file \(file): TLS: cert_file \(tls.path)/fileopend.crt: "), "\(missing.errorOutput)")
    }

    /// A blocking TCP connection to 127.0.0.1:`port`.
    static func connect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            throw TestFailure("connect: errno \(errno)")
        }
        return fd
    }
}
