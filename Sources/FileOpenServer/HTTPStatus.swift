/// An HTTP status: the code and the reason phrase sent with it (RFC 9110 section 15).
public struct HTTPStatus: Sendable, Hashable, CustomStringConvertible {
    /// The three-digit code, e.g. 404.
    public let code: Int
    /// The reason phrase sent after the code, e.g. `Not Found`.
    public let reasonPhrase: String

    /// Any status; the reason phrase must be printable ASCII (it goes into the status line).
    public init(code: Int, reasonPhrase: String) {
        self.code = code
        self.reasonPhrase = reasonPhrase
    }

    /// `200 OK`
    public static let ok = HTTPStatus(code: 200, reasonPhrase: "OK")
    /// `400 Bad Request`: the request head is malformed.
    public static let badRequest = HTTPStatus(code: 400, reasonPhrase: "Bad Request")
    /// `401 Unauthorized`: basic authentication is required and was missing or wrong; sent
    /// with `WWW-Authenticate: Basic`.
    public static let unauthorized = HTTPStatus(code: 401, reasonPhrase: "Unauthorized")
    /// `404 Not Found`
    public static let notFound = HTTPStatus(code: 404, reasonPhrase: "Not Found")
    /// `405 Method Not Allowed`: sent with `Allow: GET, HEAD`.
    public static let methodNotAllowed = HTTPStatus(code: 405, reasonPhrase: "Method Not Allowed")
    /// `408 Request Timeout`: a started request head did not complete in time.
    public static let requestTimeout = HTTPStatus(code: 408, reasonPhrase: "Request Timeout")
    /// `413 Content Too Large`: the request has a body, which no endpoint accepts.
    public static let contentTooLarge = HTTPStatus(code: 413, reasonPhrase: "Content Too Large")
    /// `431 Request Header Fields Too Large`: the head exceeds `HTTPServerLimits.maxHeadBytes`.
    public static let requestHeaderFieldsTooLarge = HTTPStatus(
        code: 431, reasonPhrase: "Request Header Fields Too Large"
    )
    /// `500 Internal Server Error`
    public static let internalServerError = HTTPStatus(code: 500, reasonPhrase: "Internal Server Error")
    /// `503 Service Unavailable`: sent with `Retry-After: 1` over the connection cap.
    public static let serviceUnavailable = HTTPStatus(code: 503, reasonPhrase: "Service Unavailable")
    /// `505 HTTP Version Not Supported`: anything but HTTP/1.0 and HTTP/1.1.
    public static let httpVersionNotSupported = HTTPStatus(code: 505, reasonPhrase: "HTTP Version Not Supported")

    /// `404 Not Found`, as the status line shows it.
    public var description: String { "\(code) \(reasonPhrase)" }
}
