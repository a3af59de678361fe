public import FileOpenServer
import Yams

/// The web configuration file (`web_config_file`) in Prometheus exporter-toolkit's format, the
/// one exporters read with `--web.config.file`: `tls_server_config`, `http_server_config`,
/// `basic_auth_users`. An operator's existing file works as it is; a key fileopend does not
/// implement (inline `cert`/`key`/`client_ca`, `client_allowed_sans`, `curve_preferences`,
/// `rate_limit`) is refused by name rather than ignored, as is any unknown key (exporter-toolkit
/// parses strictly too). docs/tls.md describes every key.
public enum WebConfigurationFile {
    /// The largest file read: 1 MiB (a web configuration is a few hundred bytes).
    public static let maximumBytes = 1 << 20

    /// Reads `path` (absolute), parses it and loads its TLS settings once (certificate, key, CA),
    /// so that a file that would fail at start fails here, with OpenSSL's reason.
    public static func load(path: String) throws(ConfigurationError) -> WebSecurity {
        let bytes: [UInt8]
        do {
            bytes = try ConfigurationFile.contents(of: path)
        } catch {
            throw .unreadableFile(path: path, reason: error.reason)
        }
        let security = try parse(bytes, path: path)
        if let tls = security.tls {
            do {
                _ = try TLSContext(tls)
            } catch {
                throw .invalidWebConfiguration(path: path, problem: "\(error)")
            }
        }
        return security
    }

    /// Parses `bytes` as the contents of `path` without reading anything else: relative file
    /// names are made relative to `path`'s directory, as exporter-toolkit does. The fuzz target's
    /// entry point.
    public static func parse(_ bytes: [UInt8], path: String) throws(ConfigurationError) -> WebSecurity {
        guard bytes.count <= maximumBytes else {
            throw .invalidWebConfiguration(path: path, problem: "larger than \(maximumBytes) bytes")
        }
        let root = try ConfigurationFile.compose(bytes, path: path)
        let parser = Parser(path: path)
        guard let root, !ConfigurationFile.isNull(root) else { return WebSecurity() }
        return try parser.security(root)
    }

    /// The walk over the document; `path` for messages and relative file names.
    private struct Parser {
        let path: String

        func fail(_ problem: String) -> ConfigurationError {
            .invalidWebConfiguration(path: path, problem: problem)
        }

        func security(_ root: Node) throws(ConfigurationError) -> WebSecurity {
            var security = WebSecurity()
            let known = ["tls_server_config", "http_server_config", "basic_auth_users"]
            for (key, value) in try fields(root, in: "the file", known: known, unsupported: ["rate_limit"]) {
                switch key {
                case "tls_server_config": security.tls = try tls(value)
                case "http_server_config": security.headers = try headers(value)
                default: security.basicAuthUsers = try users(value)
                }
            }
            return security
        }

        /// `tls_server_config`; nil when it names no file at all (plain HTTP, as in exporter-toolkit).
        func tls(_ node: Node) throws(ConfigurationError) -> WebSecurity.TLS? {
            let section = "tls_server_config"
            let known = [
                "cert_file", "key_file", "client_auth_type", "client_ca_file", "min_version", "max_version",
                "cipher_suites", "prefer_server_cipher_suites",
            ]
            let unsupported = ["cert", "key", "client_ca", "client_allowed_sans", "curve_preferences"]
            var values: [String: Node] = [:]
            for (key, value) in try fields(node, in: section, known: known, unsupported: unsupported) {
                values[key] = value
            }
            let certFile = try string(values["cert_file"], "\(section).cert_file")
            let keyFile = try string(values["key_file"], "\(section).key_file")
            let clientCAFile = try string(values["client_ca_file"], "\(section).client_ca_file")
            let authName = try string(values["client_auth_type"], "\(section).client_auth_type")
            if certFile == nil, keyFile == nil, clientCAFile == nil, authName == nil { return nil }
            guard let certFile else { throw fail("\(section): missing cert_file") }
            guard let keyFile else { throw fail("\(section): missing key_file") }
            var tls = WebSecurity.TLS(certFile: resolve(certFile), keyFile: resolve(keyFile))
            if let authName {
                guard let auth = WebSecurity.ClientAuth(rawValue: authName) else {
                    throw fail("\(section).client_auth_type: invalid '\(cut(authName))'; allowed: "
                        + WebSecurity.ClientAuth.allCases.map(\.rawValue).joinedAsAlternatives())
                }
                tls.clientAuth = auth
            }
            tls.clientCAFile = clientCAFile.map(resolve)
            if tls.clientCAFile != nil, tls.clientAuth == .noClientCert {
                throw fail(
                    "\(section): client_ca_file is set but client_auth_type is NoClientCert (set RequireAndVerifyClientCert)")
            }
            if tls.clientAuth.verifies, tls.clientCAFile == nil {
                throw fail("\(section): client_auth_type \(tls.clientAuth.rawValue) needs client_ca_file")
            }
            tls.minVersion = try version(values["min_version"], "\(section).min_version") ?? .tls12
            tls.maxVersion = try version(values["max_version"], "\(section).max_version") ?? .tls13
            guard tls.minVersion <= tls.maxVersion else {
                let (min, max) = (tls.minVersion.rawValue, tls.maxVersion.rawValue)
                throw fail("\(section): min_version \(min) is above max_version \(max)")
            }
            if let suites = values["cipher_suites"] {
                tls.cipherSuites = try strings(suites, "\(section).cipher_suites")
            }
            if let prefer = values["prefer_server_cipher_suites"], !ConfigurationFile.isNull(prefer), prefer.bool == nil {
                throw fail("\(section).prefer_server_cipher_suites: not true or false")
            }
            return tls
        }

        /// `http_server_config`: `headers` (the five exporter-toolkit allows) and `http2` (fileopend
        /// serves HTTP/1.1 only; the key is accepted so that a shared file works).
        func headers(_ node: Node) throws(ConfigurationError) -> [(name: String, value: String)] {
            let section = "http_server_config"
            var headers: [(name: String, value: String)] = []
            for (key, value) in try fields(node, in: section, known: ["headers", "http2"], unsupported: []) {
                if key == "http2" {
                    guard ConfigurationFile.isNull(value) || value.bool != nil else {
                        throw fail("\(section).http2: not true or false")
                    }
                    continue
                }
                let allowed = [
                    "Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "X-XSS-Protection",
                    "Strict-Transport-Security",
                ]
                for (name, field) in try fields(value, in: "\(section).headers", known: allowed, unsupported: []) {
                    guard let text = try string(field, "\(section).headers.\(name)") else { continue }
                    // A line break would end the field and start another (header injection).
                    guard text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
                        throw fail("\(section).headers.\(name): holds a control character")
                    }
                    if name == "X-Frame-Options", !["deny", "sameorigin"].contains(text.lowercased()) {
                        throw fail("\(section).headers.X-Frame-Options: invalid '\(cut(text))'; allowed: deny or sameorigin")
                    }
                    if name == "X-Content-Type-Options", text.lowercased() != "nosniff" {
                        throw fail("\(section).headers.X-Content-Type-Options: invalid '\(cut(text))'; allowed: nosniff")
                    }
                    headers.append((name, text))
                }
            }
            return headers
        }

        /// `basic_auth_users`: user → bcrypt hash.
        func users(_ node: Node) throws(ConfigurationError) -> [String: String] {
            guard !ConfigurationFile.isNull(node) else { return [:] }
            guard case .mapping(let mapping) = node else {
                throw fail("basic_auth_users: \(ConfigurationFile.kind(of: node)) where a mapping of user: bcrypt hash belongs")
            }
            var users: [String: String] = [:]
            for (keyNode, value) in mapping {
                guard case .scalar(let scalar) = keyNode, !scalar.string.isEmpty else {
                    throw fail("basic_auth_users: a user name must be non-empty text")
                }
                let user = scalar.string
                guard !user.contains(":") else {
                    throw fail("basic_auth_users: user '\(cut(user))' holds ':', which basic authentication cannot carry")
                }
                guard let hash = try string(value, "basic_auth_users.\(user)"), WebSecurity.isBcryptHash(hash) else {
                    let example = "htpasswd -nBC 10 \"\" | tr -d ':\\n'"
                    throw fail("basic_auth_users.\(cut(user)): not a bcrypt hash ($2a$, $2b$ or $2y$; e.g. \(example))")
                }
                users[user] = hash
            }
            return users
        }

        // MARK: - Helpers

        /// The key/value pairs of a mapping (empty for an empty value), every key checked.
        func fields(
            _ node: Node, in section: String, known: [String], unsupported: [String]
        ) throws(ConfigurationError) -> [(String, Node)] {
            if ConfigurationFile.isNull(node) { return [] }
            guard case .mapping(let mapping) = node else {
                throw fail("\(section): \(ConfigurationFile.kind(of: node)) where a mapping belongs")
            }
            var seen: Set<String> = []
            var pairs: [(String, Node)] = []
            for (keyNode, value) in mapping {
                let name = keyNode.string ?? "\(keyNode)"
                if unsupported.contains(name) {
                    throw fail("\(section == "the file" ? "" : section + ".")\(name) is not supported by fileopend (docs/tls.md)")
                }
                guard known.contains(name) else {
                    let hint = KeySuggestion.closest(to: name, among: known).map { " (did you mean '\($0)'?)" }
                        ?? "; known keys: " + known.joined(separator: ", ")
                    throw fail("unknown key '\(cut(name))' in \(section)\(hint)")
                }
                guard seen.insert(name).inserted else { throw fail("duplicate key '\(name)' in \(section)") }
                pairs.append((name, value))
            }
            return pairs
        }

        /// A text value; nil when absent or empty.
        func string(_ node: Node?, _ name: String) throws(ConfigurationError) -> String? {
            guard let node, !ConfigurationFile.isNull(node) else { return nil }
            guard case .scalar(let scalar) = node else {
                throw fail("\(name): \(ConfigurationFile.kind(of: node)) where a single value belongs")
            }
            return scalar.string.isEmpty ? nil : scalar.string
        }

        func strings(_ node: Node, _ name: String) throws(ConfigurationError) -> [String] {
            if ConfigurationFile.isNull(node) { return [] }
            guard case .sequence(let sequence) = node else {
                throw fail("\(name): \(ConfigurationFile.kind(of: node)) where a list belongs")
            }
            var values: [String] = []
            for element in sequence {
                guard let value = try string(element, name) else { throw fail("\(name): an empty entry") }
                values.append(value)
            }
            return values
        }

        func version(_ node: Node?, _ name: String) throws(ConfigurationError) -> WebSecurity.Version? {
            guard let text = try string(node, name) else { return nil }
            if let version = WebSecurity.Version(rawValue: text) { return version }
            let problem = ["TLS10", "TLS11"].contains(text) ? "not supported" : "invalid"
            throw fail("\(name): \(problem) '\(cut(text))'; allowed: TLS12 or TLS13")
        }

        /// A file name relative to the web configuration file's directory, as exporter-toolkit reads it.
        func resolve(_ file: String) -> String {
            guard !file.hasPrefix("/") else { return file }
            guard let slash = path.lastIndex(of: "/") else { return file }
            return String(path[...slash]) + file
        }

        func cut(_ text: String) -> String { ConfigurationError.cut(text) }
    }
}
