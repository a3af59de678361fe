import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// A TLS server configuration loaded into OpenSSL (`SSL_CTX`): certificate chain and key, client
/// certificate policy and CAs, protocol versions and TLS 1.2 cipher suites. Files are read once,
/// here; a reload builds a new context, and connections keep the one they started with.
///
/// Sendable: an `SSL_CTX` is reference-counted and safe to create `SSL` objects from on any
/// thread once configured, and nothing configures it after `init`.
public final class TLSContext: @unchecked Sendable {
    let context: OpaquePointer

    /// Loads `settings` (`SSL_CTX_new(TLS_server_method())`, `SSL_CTX_use_certificate_chain_file`,
    /// `SSL_CTX_use_PrivateKey_file`, `SSL_CTX_check_private_key`, `SSL_CTX_load_verify_locations`,
    /// `SSL_CTX_set_verify`, ...). Throws `ServerError.tls` naming the file or setting and
    /// OpenSSL's reason.
    public init(_ settings: WebSecurity.TLS) throws(ServerError) {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_server_method()) else { throw Self.failure("SSL_CTX_new") }
        self.context = context
        cos_ctx_set_server_options(context)
        cos_ctx_set_nonblocking_write_modes(context)
        cos_ctx_disable_resumption(context)
        guard cos_ctx_set_min_proto_version(context, settings.minVersion.protocolVersion) == 1,
            cos_ctx_set_max_proto_version(context, settings.maxVersion.protocolVersion) == 1
        else { throw Self.failure("setting min_version/max_version") }
        guard SSL_CTX_use_certificate_chain_file(context, settings.certFile) == 1 else {
            throw Self.failure("cert_file \(settings.certFile)")
        }
        guard SSL_CTX_use_PrivateKey_file(context, settings.keyFile, SSL_FILETYPE_PEM) == 1 else {
            throw Self.failure("key_file \(settings.keyFile)")
        }
        guard SSL_CTX_check_private_key(context) == 1 else {
            throw Self.failure("key_file \(settings.keyFile) (does it match cert_file \(settings.certFile)?)")
        }
        if !settings.cipherSuites.isEmpty {
            let names = try Self.openSSLNames(of: settings.cipherSuites, in: context)
            guard SSL_CTX_set_cipher_list(context, names.joined(separator: ":")) == 1 else {
                throw Self.failure("cipher_suites")
            }
        }
        if let caFile = settings.clientCAFile {
            guard SSL_CTX_load_verify_locations(context, caFile, nil) == 1 else {
                throw Self.failure("client_ca_file \(caFile)")
            }
            // The CA names sent in the CertificateRequest, so a client can pick its certificate.
            guard let names = SSL_load_client_CA_file(caFile) else { throw Self.failure("client_ca_file \(caFile)") }
            SSL_CTX_set_client_CA_list(context, names)
        }
        switch settings.clientAuth {
        case .noClientCert:
            SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        case .requestClientCert:
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, { _, _ in 1 })
        case .requireAnyClientCert:
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, { _, _ in 1 })
        case .verifyClientCertIfGiven:
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        case .requireAndVerifyClientCert:
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
        }
    }

    deinit {
        SSL_CTX_free(context)
    }

    /// OpenSSL's names (`ECDHE-RSA-AES128-GCM-SHA256`) of cipher suites given by their IANA names,
    /// as Go and so exporter-toolkit spell them (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`), from the
    /// suites this OpenSSL offers (`SSL_CIPHER_standard_name`, `SSL_CIPHER_get_name`).
    private static func openSSLNames(of suites: [String], in context: OpaquePointer) throws(ServerError) -> [String] {
        // Every suite OpenSSL knows, not only the default list.
        guard let probe = SSL_CTX_new(TLS_server_method()) else { throw failure("SSL_CTX_new") }
        defer { SSL_CTX_free(probe) }
        _ = SSL_CTX_set_cipher_list(probe, "ALL:COMPLEMENTOFALL")
        var known: [String: String] = [:]
        if let stack = SSL_CTX_get_ciphers(probe) {
            for index in 0..<OPENSSL_sk_num(stack) {
                let cipher = OpaquePointer(OPENSSL_sk_value(stack, index))
                guard let standard = SSL_CIPHER_standard_name(cipher), let name = SSL_CIPHER_get_name(cipher) else { continue }
                known[String(cString: standard)] = String(cString: name)
            }
        }
        var names: [String] = []
        for suite in suites {
            // Go also accepts the ChaCha20 names without their hash.
            let standard = suite.hasSuffix("_CHACHA20_POLY1305") ? suite + "_SHA256" : suite
            guard let name = known[standard] else {
                throw .tls("cipher_suites", reason: "unknown or unsupported cipher suite '\(suite)'")
            }
            names.append(name)
        }
        return names
    }

    /// `what` failed: OpenSSL's first queued reason (`ERR_get_error`, `ERR_error_string_n`), or errno's.
    static func failure(_ what: String) -> ServerError {
        .tls(what, reason: errorQueueReason() ?? String(cString: strerror(errno)))
    }

    /// The oldest error on this thread's OpenSSL queue, as text, emptying the queue.
    static func errorQueueReason() -> String? {
        let code = ERR_get_error()
        defer { ERR_clear_error() }
        guard code != 0 else { return nil }
        if let reason = ERR_reason_error_string(code) { return String(cString: reason) }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension WebSecurity.Version {
    /// OpenSSL's protocol version number.
    var protocolVersion: Int32 {
        switch self {
        case .tls12: TLS1_2_VERSION
        case .tls13: TLS1_3_VERSION
        }
    }
}
