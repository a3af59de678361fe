#if canImport(Glibc)
import Glibc
#endif

/// Where a TCP listener binds: an IPv4 literal or a bracketed IPv6 literal and a port, e.g.
/// `127.0.0.1:9469`, `0.0.0.0:9469`, `[::1]:9469`, `[::]:9469`. Host names are refused on purpose:
/// a metrics port must not depend on name resolution at boot. Port 0 asks the kernel for any free
/// port (tests); `ListeningSocket.boundAddress` then tells which.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address family.
    public enum Family: Sendable, Hashable {
        /// AF_INET: a dotted-quad literal.
        case ipv4
        /// AF_INET6: a bracketed literal.
        case ipv6
    }

    /// IPv4 or IPv6.
    public let family: Family
    /// The host literal in canonical form (`inet_ntop(3)`), without brackets.
    public let host: String
    /// The TCP port; 0 asks the kernel for any free one.
    public let port: UInt16
    /// The address in network byte order: 4 or 16 bytes.
    let addressBytes: [UInt8]

    /// Parses `HOST:PORT` (IPv4 literal) or `[HOST]:PORT` (IPv6 literal) with `inet_pton(3)`.
    /// Zone ids (`[fe80::1%eth0]`) are not supported.
    public init(parsing text: String) throws(ServerError) {
        func invalid(_ reason: String) -> ServerError { .invalidListenAddress(text, reason: reason) }
        let hostPart: Substring
        let portPart: Substring
        let family: Family
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw invalid("no closing ']'") }
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.first == ":" else { throw invalid("no ':PORT' after ']'") }
            portPart = rest.dropFirst()
            family = .ipv6
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw invalid("no ':PORT'") }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
            guard !hostPart.contains(":") else { throw invalid("an IPv6 literal needs brackets: [HOST]:PORT") }
            family = .ipv4
        }
        guard !portPart.isEmpty, portPart.count <= 5, portPart.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let port = UInt16(portPart)
        else { throw invalid("the port must be a number from 0 to 65535") }
        guard let bytes = Self.presentationToNetwork(String(hostPart), family: family) else {
            throw invalid("'\(hostPart)' is not an \(family == .ipv4 ? "IPv4" : "IPv6") literal")
        }
        self.init(family: family, addressBytes: bytes, port: port)
    }

    /// From a binary address (network byte order).
    init(family: Family, addressBytes: [UInt8], port: UInt16) {
        self.family = family
        self.addressBytes = addressBytes
        self.port = port
        self.host = Self.networkToPresentation(addressBytes, family: family)
    }

    /// `HOST:PORT` or `[HOST]:PORT`, parseable again by `init(parsing:)`.
    public var description: String {
        family == .ipv6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// The address as a `sockaddr_in`/`sockaddr_in6` for `bind(2)`.
    func withSocketAddress<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        var storage = sockaddr_storage()
        return withUnsafeMutableBytes(of: &storage) { raw in
            switch family {
            case .ipv4:
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = port.bigEndian
                withUnsafeMutableBytes(of: &address.sin_addr) { $0.copyBytes(from: addressBytes) }
                raw.storeBytes(of: address, as: sockaddr_in.self)
                let length = socklen_t(MemoryLayout<sockaddr_in>.size)
                return body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
            case .ipv6:
                var address = sockaddr_in6()
                address.sin6_family = sa_family_t(AF_INET6)
                address.sin6_port = port.bigEndian
                withUnsafeMutableBytes(of: &address.sin6_addr) { $0.copyBytes(from: addressBytes) }
                raw.storeBytes(of: address, as: sockaddr_in6.self)
                let length = socklen_t(MemoryLayout<sockaddr_in6>.size)
                return body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
            }
        }
    }

    /// The address the kernel filled in (`getsockname(2)`, `accept(2)`); nil for other families.
    init?(socketAddress storage: sockaddr_storage) {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            let address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in.self) }
            let bytes = withUnsafeBytes(of: address.sin_addr) { Array($0) }
            self.init(family: .ipv4, addressBytes: bytes, port: UInt16(bigEndian: address.sin_port))
        case AF_INET6:
            let address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in6.self) }
            let bytes = withUnsafeBytes(of: address.sin6_addr) { Array($0) }
            self.init(family: .ipv6, addressBytes: bytes, port: UInt16(bigEndian: address.sin6_port))
        default:
            return nil
        }
    }

    /// `inet_pton(3)`: strict dotted-quad for IPv4 (no octal, no short forms), RFC 4291 text for IPv6.
    private static func presentationToNetwork(_ text: String, family: Family) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: family == .ipv4 ? 4 : 16)
        let converted = bytes.withUnsafeMutableBytes { buffer in
            inet_pton(family == .ipv4 ? AF_INET : AF_INET6, text, buffer.baseAddress)
        }
        return converted == 1 ? bytes : nil
    }

    /// `inet_ntop(3)`: the canonical text (e.g. `::1`, not `0:0:0:0:0:0:0:1`).
    private static func networkToPresentation(_ bytes: [UInt8], family: Family) -> String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let converted = bytes.withUnsafeBytes { buffer in
            inet_ntop(family == .ipv4 ? AF_INET : AF_INET6, buffer.baseAddress, &text, socklen_t(text.count))
        }
        guard converted != nil else { return "?" }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
