/// A complete response as a handler returns it. The server adds the framing itself
/// (`Content-Length`, `Connection`, `Date`, and `Content-Encoding`/`Vary` when it gzips), so fields of
/// those names in `headers` are dropped, as is any field that is not a token name with a value free
/// of CR, LF and NUL: a handler cannot split a response by mistake. Every response carries a
/// body and its Content-Length, so statuses that must have none (1xx, 204, 304) are not for here.
public struct HTTPResponse: Sendable, Equatable {
    /// The status line's code and reason phrase.
    public var status: HTTPStatus
    /// The `Content-Type` field, or nil for none.
    public var contentType: String?
    /// Further fields, e.g. `Allow`, `Retry-After`, `Cache-Control`.
    public var headers: HTTPHeaders
    /// The body of a GET response (a HEAD response announces its length and sends none).
    public var body: [UInt8]

    /// A response with exactly these parts.
    public init(status: HTTPStatus = .ok, contentType: String? = nil, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.body = body
    }

    /// A text body, UTF-8 encoded; `contentType` defaults to `text/plain; charset=utf-8`.
    public static func text(
        _ text: String, status: HTTPStatus = .ok, contentType: String = "text/plain; charset=utf-8",
        headers: HTTPHeaders = [:]
    ) -> HTTPResponse {
        HTTPResponse(status: status, contentType: contentType, headers: headers, body: Array(text.utf8))
    }

    /// A short plain-text error: the status line repeated, then `detail` if given.
    public static func error(_ status: HTTPStatus, detail: String? = nil, headers: HTTPHeaders = [:]) -> HTTPResponse {
        .text(detail.map { "\(status)\n\($0)\n" } ?? "\(status)\n", status: status, headers: headers)
    }

    /// `404 Not Found`
    public static let notFound = error(.notFound)
    /// `405 Method Not Allowed` with `Allow: GET, HEAD`.
    public static let methodNotAllowed = error(.methodNotAllowed, headers: ["Allow": "GET, HEAD"])
    /// `503 Service Unavailable` with `Retry-After: 1`: what a connection over the cap gets.
    public static let serviceUnavailable = error(
        .serviceUnavailable, detail: "too many connections", headers: ["Retry-After": "1"]
    )
    /// `500 Internal Server Error`
    public static let internalServerError = error(.internalServerError)
}
