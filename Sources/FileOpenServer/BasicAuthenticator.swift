import CCrypt
import COpenSSL
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// HTTP basic authentication against bcrypt hashes (`basic_auth_users`), as exporter-toolkit
/// does it: the password is checked with libxcrypt's `crypt_rn` (bcrypt `$2a$`/`$2b$`/`$2y$`) and
/// the result compared with `CRYPTO_memcmp` (constant time); an unknown user is checked against a
/// decoy hash, so the time taken does not tell which users exist. A success is remembered (by a
/// SHA-256 of user, hash and password, never the password itself), so a scrape every few seconds
/// does not cost a bcrypt each (~70 ms at cost 10).
///
/// Called on the workers; the cache is behind a mutex, bcrypt runs outside it.
final class BasicAuthenticator: Sendable {
    private let users: [String: String]
    private let cache = Mutex<Set<[UInt8]>>([])
    /// Remembered successes at most; the set is emptied when full (a handful of users scrape).
    private static var cacheLimit: Int { 1024 }
    /// The hash an unknown user's password is checked against (of a random password, cost 10).
    private static let decoy = "$2b$10$THQ1m0F1pxQkZ9c9iu3NL.VNLnFScaNrFvYDMmN8Blh5lIvA8o5Yi"

    /// `users`: name → bcrypt hash, already checked by `isBcryptHash`.
    init(users: [String: String]) {
        self.users = users
    }

    /// Whether `hash` is a whole bcrypt hash — `$2a$`, `$2b$` or `$2y$`, a cost of 04 to 31, 53
    /// characters of salt and hash — that libxcrypt accepts (`crypt_checksalt`, which checks the
    /// method and cost only).
    static func isBcryptHash(_ hash: String) -> Bool {
        let bytes = Array(hash.utf8)
        guard bytes.count == 60, hash.hasPrefix("$2a$") || hash.hasPrefix("$2b$") || hash.hasPrefix("$2y$"),
            bytes[6] == UInt8(ascii: "$"), let cost = Int(String(decoding: bytes[4..<6], as: UTF8.self)),
            (4...31).contains(cost)
        else { return false }
        let alphabet = Set("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        guard bytes[7...].allSatisfy(alphabet.contains) else { return false }
        return crypt_checksalt(hash) == CRYPT_SALT_OK
    }

    /// Whether the `Authorization` field values carry a known user's password (`Basic`, RFC 7617).
    func admits(authorization values: [String]) -> Bool {
        guard values.count == 1, let (user, password) = Self.credentials(values[0]) else { return false }
        let hash = users[user]
        let key = Self.cacheKey(user: user, hash: hash ?? Self.decoy, password: password)
        if hash != nil, let key, cache.withLock({ $0.contains(key) }) { return true }
        let matches = Self.verify(password, against: hash ?? Self.decoy) && hash != nil
        if matches, let key {
            cache.withLock { cache in
                if cache.count >= Self.cacheLimit { cache.removeAll() }
                cache.insert(key)
            }
        }
        return matches
    }

    /// `crypt_rn(password, hash)` compared with `hash` (`CRYPTO_memcmp`).
    static func verify(_ password: [UInt8], against hash: String) -> Bool {
        // struct crypt_data is 32 KiB: on the heap, not a worker's stack.
        let data = UnsafeMutablePointer<crypt_data>.allocate(capacity: 1)
        defer { data.deallocate() }
        memset(data, 0, MemoryLayout<crypt_data>.size)
        // A password holding a NUL cannot match: crypt takes C strings.
        guard !password.contains(0) else { return false }
        let phrase = password.map { CChar(bitPattern: $0) } + [0]
        guard let result = crypt_rn(phrase, hash, data, Int32(MemoryLayout<crypt_data>.size)) else { return false }
        let expected = Array(hash.utf8)
        let length = strlen(result)
        guard length == expected.count else { return false }
        return expected.withUnsafeBytes { CRYPTO_memcmp(result, $0.baseAddress, length) == 0 }
    }

    /// User and password of a `Basic` credentials field; nil if it is not one.
    static func credentials(_ field: String) -> (user: String, password: [UInt8])? {
        let parts = field.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "basic" else { return nil }
        let encoded = Array(parts[1].trimmingSpaces.utf8)
        guard let decoded = decodeBase64(encoded), let colon = decoded.firstIndex(of: UInt8(ascii: ":")) else {
            return nil
        }
        guard let user = String(validating: decoded[..<colon], as: UTF8.self) else { return nil }
        return (user, Array(decoded[(colon + 1)...]))
    }

    /// Standard base64 with padding (`EVP_DecodeBlock`, which does not drop the padding's bytes
    /// itself); nil if malformed.
    static func decodeBase64(_ encoded: [UInt8]) -> [UInt8]? {
        guard !encoded.isEmpty, encoded.count % 4 == 0, encoded.count <= 8192 else { return nil }
        var decoded = [UInt8](repeating: 0, count: encoded.count / 4 * 3)
        let count = EVP_DecodeBlock(&decoded, encoded, Int32(encoded.count))
        guard count >= 0 else { return nil }
        let padding = encoded.suffix(2).filter { $0 == UInt8(ascii: "=") }.count
        return Array(decoded.prefix(Int(count) - padding))
    }

    /// SHA-256 of user, hash and password, NUL-separated (`EVP_Q_digest`).
    private static func cacheKey(user: String, hash: String, password: [UInt8]) -> [UInt8]? {
        let input = Array(user.utf8) + [0] + Array(hash.utf8) + [0] + password
        var digest = [UInt8](repeating: 0, count: 32)
        var length = 0
        guard EVP_Q_digest(nil, "SHA256", nil, input, input.count, &digest, &length) == 1 else { return nil }
        return digest
    }
}

extension WebSecurity {
    /// Whether `hash` is a bcrypt hash (`$2a$`, `$2b$`, `$2y$`) libxcrypt accepts (`crypt_checksalt`),
    /// as `basic_auth_users` needs.
    public static func isBcryptHash(_ hash: String) -> Bool {
        BasicAuthenticator.isBcryptHash(hash)
    }
}
