/// The strict HTTP/1.x request-head parser: pure, no I/O, safe on any bytes (it is fuzzed).
///
/// Give it the bytes received so far; it answers `.needMore`, `.complete` with the request and the
/// number of bytes the head took (what follows is the next pipelined request), or `.invalid` with
/// the status to answer. Problems are reported as soon as the bytes that show them are in, so
/// binary garbage is refused at its first byte rather than after a timeout, and the same input
/// gives the same answer however it is split into reads.
///
/// Strict on purpose (RFC 9112, with the leniencies request smuggling and header injection need
/// removed): CRLF line endings only, no obsolete line folding, no whitespace before a header's
/// colon, no control characters in values, one Content-Length at most and never together with
/// Transfer-Encoding, Host required in HTTP/1.1, only GET and HEAD, and no request body at all.
public enum HTTPRequestHead {
    /// The default limit of a head, its final CRLFCRLF included.
    public static let defaultMaxBytes = 8192

    /// What the bytes so far amount to.
    public enum ParseResult: Sendable, Equatable {
        /// The head is incomplete and nothing is wrong yet: read more.
        case needMore
        /// A valid head of `consumed` bytes; any bytes after it belong to the next request.
        case complete(HTTPRequest, consumed: Int)
        /// The head is refused: answer `rejection.status` and close the connection.
        case invalid(Rejection)
    }

    /// Why a head is refused: the status to answer and a fixed explanation (never echoing input).
    public struct Rejection: Error, Sendable, Equatable, CustomStringConvertible {
        /// The status to answer: 400, 405, 413, 431 or 505.
        public let status: HTTPStatus
        /// What was wrong, for the response body and the debug log.
        public let reason: String

        /// A refusal with `status` because of `reason`.
        public init(_ status: HTTPStatus, _ reason: String) {
            self.status = status
            self.reason = reason
        }

        /// `400 Bad Request: empty request line`
        public var description: String { "\(status): \(reason)" }
    }

    /// Parses the head at the start of `bytes`, looking at no more than `maxHeadBytes` of them.
    public static func parse(_ bytes: UnsafeRawBufferPointer, maxHeadBytes: Int = defaultMaxBytes) -> ParseResult {
        var scanner = Scanner(bytes: bytes, maxHeadBytes: max(1, maxHeadBytes))
        do {
            return try scanner.head()
        } catch {
            switch error {
            case .needMore: return .needMore
            case .reject(let rejection): return .invalid(rejection)
            }
        }
    }

    /// Parses the head at the start of `bytes`.
    public static func parse(_ bytes: [UInt8], maxHeadBytes: Int = defaultMaxBytes) -> ParseResult {
        bytes.withUnsafeBytes { parse($0, maxHeadBytes: maxHeadBytes) }
    }
}

private enum Stop: Error {
    case needMore
    case reject(HTTPRequestHead.Rejection)
}

private let cr = UInt8(ascii: "\r")
private let lf = UInt8(ascii: "\n")
private let space = UInt8(ascii: " ")
private let tab = UInt8(ascii: "\t")

private func bad(_ reason: String) -> Stop {
    .reject(HTTPRequestHead.Rejection(.badRequest, reason))
}

/// One pass over the head; `position` is the next byte to read.
private struct Scanner {
    let bytes: UnsafeRawBufferPointer
    /// How far the parser may look: the head must end within it.
    let window: Int
    let maxHeadBytes: Int
    var position = 0

    init(bytes: UnsafeRawBufferPointer, maxHeadBytes: Int) {
        self.bytes = bytes
        self.maxHeadBytes = maxHeadBytes
        window = min(bytes.count, maxHeadBytes)
    }

    /// The next byte; at the window's end either more bytes may come or the head is too large.
    mutating func next() throws(Stop) -> UInt8 {
        guard position < window else {
            if window == maxHeadBytes {
                throw .reject(.init(.requestHeaderFieldsTooLarge, "the request head exceeds \(maxHeadBytes) bytes"))
            }
            throw .needMore
        }
        defer { position += 1 }
        return bytes[position]
    }

    func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// After a CR, the LF that must follow it.
    mutating func expectLF(_ context: String) throws(Stop) {
        guard try next() == lf else { throw bad("CR not followed by LF in \(context)") }
    }

    mutating func head() throws(Stop) -> HTTPRequestHead.ParseResult {
        let (method, target, version) = try requestLine()
        let headers = try headerFields()
        let consumed = position
        let request = try validate(method: method, target: target, version: version, headers: headers)
        return .complete(request, consumed: consumed)
    }

    /// `method SP request-target SP HTTP-version CRLF`, one space each, nothing else.
    mutating func requestLine() throws(Stop) -> (String, String, HTTPRequest.Version) {
        var byte = try next()
        if byte == cr || byte == lf { throw bad("empty request line") }
        while isTokenByte(byte) { byte = try next() }
        let methodEnd = position - 1
        guard methodEnd > 0 else { throw bad("the request line does not start with a method token") }
        guard byte == space else {
            throw bad(byte == cr || byte == lf ? "the request line has no target" : "invalid character in the method")
        }
        let targetStart = position
        byte = try next()
        while byte > space && byte < 0x7F && byte != UInt8(ascii: "#") { byte = try next() }
        let targetEnd = position - 1
        switch byte {
        case space where targetEnd == targetStart: throw bad("more than one space after the method")
        case space: break
        case cr, lf: throw bad("the request line has no HTTP version")
        case UInt8(ascii: "#"): throw bad("a fragment (#) in the request target")
        case 0x80...: throw bad("a non-ASCII byte in the request target")
        default: throw bad("a control character in the request target")
        }
        for expected in "HTTP/".utf8 {
            let byte = try next()
            guard byte == expected else {
                throw bad(
                    byte == space ? "more than one space before the HTTP version" : "the HTTP version is not HTTP/x.y"
                )
            }
        }
        let major = try next()
        let dot = try next()
        let minor = try next()
        guard isDigit(major), dot == UInt8(ascii: "."), isDigit(minor) else {
            throw bad("the HTTP version is not HTTP/x.y")
        }
        switch try next() {
        case cr: try expectLF("the request line")
        case lf: throw bad("the request line ends in a bare LF, not CRLF")
        case space: throw bad("a space after the HTTP version")
        default: throw bad("the HTTP version is not HTTP/x.y")
        }
        let version: HTTPRequest.Version
        switch (major, minor) {
        case (UInt8(ascii: "1"), UInt8(ascii: "1")): version = .http1_1
        case (UInt8(ascii: "1"), UInt8(ascii: "0")): version = .http1_0
        default: throw .reject(.init(.httpVersionNotSupported, "only HTTP/1.0 and HTTP/1.1 are supported"))
        }
        return (string(0..<methodEnd), string(targetStart..<targetEnd), version)
    }

    /// `*( field-name ":" OWS field-value OWS CRLF ) CRLF`
    mutating func headerFields() throws(Stop) -> HTTPHeaders {
        var headers = HTTPHeaders()
        while true {
            var byte = try next()
            switch byte {
            case cr:
                try expectLF("the blank line ending the head")
                return headers
            case lf: throw bad("a header line ends in a bare LF, not CRLF")
            case space, tab:
                throw bad(
                    headers.count == 0
                        ? "whitespace before the first header field" : "obsolete line folding in a header field"
                )
            default: break
            }
            let nameStart = position - 1
            while isTokenByte(byte) { byte = try next() }
            let nameEnd = position - 1
            guard byte == UInt8(ascii: ":") else {
                switch byte {
                case space, tab: throw bad("whitespace between a header field name and its colon")
                case cr, lf: throw bad("a header line without a colon")
                default: throw bad("invalid character in a header field name")
                }
            }
            guard nameEnd > nameStart else { throw bad("a header field without a name") }
            byte = try next()
            while byte == space || byte == tab { byte = try next() }
            let valueStart = position - 1
            var valueEnd = valueStart  // After the last non-whitespace byte.
            while byte != cr {
                switch byte {
                case 0: throw bad("NUL in a header field value")
                case lf: throw bad("LF without CR in a header field value")
                case space, tab: break
                case 0x01..<0x20, 0x7F: throw bad("a control character in a header field value")
                default: valueEnd = position
                }
                byte = try next()
            }
            guard try next() == lf else { throw bad("CR inside a header field value") }
            headers.append(name: string(nameStart..<nameEnd), value: string(valueStart..<valueEnd))
        }
    }

    /// The checks that need the whole head, in order: framing and Host (400), method (405), body (413).
    func validate(
        method: String, target: String, version: HTTPRequest.Version, headers: HTTPHeaders
    ) throws(Stop) -> HTTPRequest {
        let (path, query) = try Self.splitTarget(target, method: method)
        let hosts = headers.values(for: "Host")
        if hosts.count > 1 { throw bad("more than one Host header field") }
        if version == .http1_1 && hosts.isEmpty { throw bad("an HTTP/1.1 request without a Host header field") }
        if let host = hosts.first, host.utf8.contains(where: { [space, tab, 0x2C, 0x2F, 0x40].contains($0) }) {
            throw bad("an invalid Host header field")
        }
        let lengths = headers.values(for: "Content-Length")
        if lengths.count > 1 { throw bad("more than one Content-Length header field") }
        if let length = lengths.first, length.isEmpty || !length.utf8.allSatisfy(isDigit) {
            throw bad("Content-Length is not a decimal number")
        }
        let chunked = headers.contains("Transfer-Encoding")
        if chunked && !lengths.isEmpty { throw bad("both Content-Length and Transfer-Encoding") }
        guard method == "GET" || method == "HEAD" else {
            throw .reject(.init(.methodNotAllowed, "only GET and HEAD are allowed"))
        }
        // Any non-zero length is a body, however many digits: no number to overflow.
        if chunked || lengths.first.map({ $0.utf8.contains { $0 != UInt8(ascii: "0") } }) == true {
            throw .reject(.init(.contentTooLarge, "requests with a body are not accepted"))
        }
        return HTTPRequest(method: method, target: target, path: path, query: query, version: version, headers: headers)
    }

    /// Origin-form `/path?query`, absolute-form `http://authority/path?query`, and `*` for OPTIONS
    /// (then refused with 405 like every other method but GET and HEAD).
    static func splitTarget(_ target: String, method: String) throws(Stop) -> (path: String, query: String?) {
        var rest = Substring(target)
        if target == "*" && method == "OPTIONS" { return ("*", nil) }
        if !rest.hasPrefix("/") {
            guard rest.prefix(7).lowercased() == "http://" else {
                throw bad("the request target is neither /path nor http://host/path")
            }
            rest = rest.dropFirst(7)
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            guard !authority.isEmpty, !authority.contains("@") else {
                throw bad("the request target has no host or has user information")
            }
            rest = rest[authorityEnd...]
        }
        guard let question = rest.firstIndex(of: "?") else { return (rest.isEmpty ? "/" : String(rest), nil) }
        let path = rest[..<question]
        return (path.isEmpty ? "/" : String(path), String(rest[rest.index(after: question)...]))
    }
}

/// `tchar` of RFC 9110 section 5.6.2: the bytes of methods and header names.
private func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
         UInt8(ascii: "0")...UInt8(ascii: "9"):
        true
    case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
         UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
         UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
        true
    default:
        false
    }
}

private func isDigit(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
}
