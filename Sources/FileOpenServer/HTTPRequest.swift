/// A parsed request head (`HTTPRequestHead.parse`). Requests never have a body: the parser answers
/// 413 to any. The target is kept raw (no percent-decoding): routes compare `path` byte for byte.
public struct HTTPRequest: Sendable, Equatable {
    /// The two protocol versions served.
    public enum Version: String, Sendable, Hashable {
        /// HTTP/1.0: connections close after each response unless the client asks for keep-alive.
        case http1_0 = "HTTP/1.0"
        /// HTTP/1.1: connections stay open unless `Connection: close`; Host is required.
        case http1_1 = "HTTP/1.1"
    }

    /// The method token as sent (case-sensitive: `GET` or `HEAD` once parsed).
    public let method: String
    /// The request-target as sent: `/path?query`, or `http://host/path?query` (absolute-form).
    public let target: String
    /// The path of the target, starting with `/`, without the query.
    public let path: String
    /// What follows the first `?`, or nil when the target has none.
    public let query: String?
    /// HTTP/1.0 or HTTP/1.1, from the request line.
    public let version: Version
    /// The header fields in the order received.
    public let headers: HTTPHeaders

    /// A request with these parts (the parser makes them; tests and handlers may too).
    public init(method: String, target: String, path: String, query: String?, version: Version, headers: HTTPHeaders) {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
    }

    /// Whether the method is `HEAD`: the response carries the GET response's headers, no body.
    public var isHead: Bool { method == "HEAD" }

    /// Whether the connection may stay open after the response: HTTP/1.1 unless `Connection: close`,
    /// HTTP/1.0 only with `Connection: keep-alive` (RFC 9112 section 9.3).
    public var keepAlive: Bool {
        let options = headers.values(for: "Connection").flatMap { $0.split(separator: ",") }.map {
            $0.trimmingSpaces.lowercased()
        }
        if options.contains("close") { return false }
        return version == .http1_1 || options.contains("keep-alive")
    }

    /// Whether a gzip-coded response is acceptable (RFC 9110 section 12.5.3): `gzip` (or `x-gzip`) with
    /// a non-zero weight, or else `*` with a non-zero weight. No `Accept-Encoding` means no gzip, so
    /// clients that did not ask get plain bytes; `gzip;q=0` means no even if `*` is listed.
    public var acceptsGzip: Bool {
        let values = headers.values(for: "Accept-Encoding")
        guard !values.isEmpty else { return false }
        let list = QualityList(values.joined(separator: ","))
        let explicit = list.elements.filter { $0.value == "gzip" || $0.value == "x-gzip" }
        if !explicit.isEmpty { return explicit.contains { $0.weight > 0 } }
        return list.elements.contains { $0.value == "*" && $0.weight > 0 }
    }

    /// The raw `Accept` header (several fields joined with `, `), or nil when absent.
    public var accept: String? {
        let values = headers.values(for: "Accept")
        return values.isEmpty ? nil : values.joined(separator: ", ")
    }

    /// The weight (0...1) the `Accept` header gives `mediaType` (`type/subtype`, parameters ignored):
    /// that of the most specific matching range (`type/subtype` over `type/*` over `*/*`, RFC 9110
    /// section 12.5.1), the highest if several ranges of that precision match (e.g. two versions of
    /// OpenMetrics). 1 when there is no `Accept` header, 0 when nothing matches.
    public func acceptQuality(forMediaType mediaType: String) -> Double {
        guard let accept else { return 1 }
        let wanted = mediaType.split(separator: ";", maxSplits: 1)[0].trimmingSpaces.lowercased()
        let type = wanted.split(separator: "/", maxSplits: 1).first.map(String.init) ?? wanted
        let list = QualityList(accept).elements
        for range in [wanted, "\(type)/*", "*/*"] {
            let weights = list.filter { $0.value == range }.map(\.weight)
            if let best = weights.max() { return Double(best) / 1000 }
        }
        return 0
    }

    /// Whether `mediaType` is acceptable at all: `acceptQuality(forMediaType:) > 0`.
    public func accepts(mediaType: String) -> Bool {
        acceptQuality(forMediaType: mediaType) > 0
    }
}
