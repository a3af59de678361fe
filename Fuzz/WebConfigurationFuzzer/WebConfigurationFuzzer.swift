// A fuzz target for the web configuration file's parser (WebConfigurationFile.parse, the file of
// web_config_file): `make fuzz` runs it under libFuzzer; a plain build replays saved inputs (see
// FuzzDriver). It parses only: no certificate is read.
import FileOpenConfiguration
import FileOpenServer
import FuzzSupport

/// File beginnings the first input byte may put in front of the rest, so that the fuzzer reaches
/// each section's checks at once instead of first having to discover the key names by chance.
private let prefixes: [[UInt8]] = [
    "", "tls_server_config:\n  ", "tls_server_config:\n  cert_file: c\n  key_file: k\n  ",
    "http_server_config:\n  headers:\n    ", "basic_auth_users:\n  ", "tls_server_config: {cert_file: c, key_file: k, ",
].map { Array($0.utf8) }

/// The input with its first byte replaced by the prefix it selects.
func framed(_ input: [UInt8]) -> [UInt8] {
    (input.first.map { prefixes[Int($0) % prefixes.count] } ?? []) + input.dropFirst()
}

private let path = "/fuzz/web-config.yml"

/// Parses one file. Any outcome but a crash is fine, provided these hold: a refusal is one
/// non-empty line; an accepted file has certificate and key together, absolute paths, only bcrypt
/// hashes, and header values that cannot break a response head.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebConfiguration(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = framed(Array(UnsafeBufferPointer(start: data, count: size)))
    let security: WebSecurity
    do {
        security = try WebConfigurationFile.parse(bytes, path: path)
    } catch {
        let message = error.description
        precondition(!message.isEmpty && !message.contains("\n"), "refusal is not one line: \(message.debugDescription)")
        return 0
    }
    if let tls = security.tls {
        precondition(tls.certFile.hasPrefix("/") && tls.keyFile.hasPrefix("/"), "relative paths: \(tls)")
        precondition(tls.minVersion <= tls.maxVersion, "\(tls)")
        // A verifying type needs a CA; NoClientCert refuses one; the others may have one.
        precondition(!tls.clientAuth.verifies || tls.clientCAFile != nil, "\(tls)")
        precondition(tls.clientAuth != .noClientCert || tls.clientCAFile == nil, "\(tls)")
    }
    for (user, hash) in security.basicAuthUsers {
        precondition(!user.isEmpty && !user.contains(":") && WebSecurity.isBcryptHash(hash), "\(user): \(hash)")
    }
    for (name, value) in security.headers {
        precondition(value.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F }, "\(name): \(value.debugDescription)")
    }
    return 0
}

@main
struct WebConfigurationFuzzer {
    static func main() throws {
        try FuzzDriver.main(fuzzWebConfiguration) { input in
            do {
                let security = try WebConfigurationFile.parse(framed(input), path: path)
                return "accepted: tls \(security.tls.map { "\($0)" } ?? "none"), \(security.basicAuthUsers.count) users, \(security.headers.count) headers"
            } catch {
                return "refused: \(error)"
            }
        }
    }
}
