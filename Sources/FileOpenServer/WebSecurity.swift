/// What the metrics listener asks of its clients, from a web configuration file in Prometheus
/// exporter-toolkit's format (`web_config_file`, docs/tls.md): TLS (and client certificates),
/// basic authentication, extra response header fields. The default asks nothing: plain HTTP.
public struct WebSecurity: Sendable, Equatable {
    /// `tls_server_config`; nil: plain HTTP.
    public var tls: TLS?
    /// `basic_auth_users`: user name → bcrypt hash. Empty: no authentication.
    public var basicAuthUsers: [String: String] = [:]
    /// `http_server_config.headers`: added to every response, in this order.
    public var headers: [(name: String, value: String)] = []

    /// Plain HTTP, no authentication.
    public init() {}

    /// `tls_server_config`, with paths already made absolute (relative ones are relative to the
    /// web configuration file's directory, as in exporter-toolkit).
    public struct TLS: Sendable, Equatable {
        /// `cert_file`: the server's certificate chain (PEM), leaf first.
        public var certFile: String
        /// `key_file`: its private key (PEM).
        public var keyFile: String
        /// `client_auth_type`.
        public var clientAuth: ClientAuth = .noClientCert
        /// `client_ca_file`: the CAs client certificates are verified against (PEM).
        public var clientCAFile: String?
        /// `min_version` (default TLS12).
        public var minVersion: Version = .tls12
        /// `max_version` (default TLS13).
        public var maxVersion: Version = .tls13
        /// `cipher_suites` (TLS 1.2 only, by their IANA names as Go spells them); empty: OpenSSL's
        /// default list. TLS 1.3's suites are not configurable, as in Go.
        public var cipherSuites: [String] = []

        /// A certificate and key, every other field at its default.
        public init(certFile: String, keyFile: String) {
            self.certFile = certFile
            self.keyFile = keyFile
        }
    }

    /// `client_auth_type`, with Go's `tls.ClientAuthType` names.
    public enum ClientAuth: String, Sendable, CaseIterable {
        /// No certificate asked for.
        case noClientCert = "NoClientCert"
        /// Asked for; none or any is accepted, and not verified.
        case requestClientCert = "RequestClientCert"
        /// One required; not verified.
        case requireAnyClientCert = "RequireAnyClientCert"
        /// Asked for; if one is sent it must verify against `client_ca_file`.
        case verifyClientCertIfGiven = "VerifyClientCertIfGiven"
        /// One required, and it must verify against `client_ca_file`.
        case requireAndVerifyClientCert = "RequireAndVerifyClientCert"

        /// Whether certificates are verified, so `client_ca_file` is needed.
        public var verifies: Bool { self == .verifyClientCertIfGiven || self == .requireAndVerifyClientCert }
    }

    /// `min_version` / `max_version`. TLS 1.0 and 1.1 are refused: Debian's OpenSSL disables
    /// them at its default security level, and no Prometheus needs them.
    public enum Version: String, Sendable, CaseIterable, Comparable {
        case tls12 = "TLS12"
        case tls13 = "TLS13"

        /// Oldest first.
        public static func < (lhs: Self, rhs: Self) -> Bool { lhs == .tls12 && rhs == .tls13 }
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.tls == rhs.tls && lhs.basicAuthUsers == rhs.basicAuthUsers
            && lhs.headers.map { [$0.name, $0.value] } == rhs.headers.map { [$0.name, $0.value] }
    }
}
