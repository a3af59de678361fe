/// The table of endpoints: an exact path (compared raw, without the query) to a handler. Every route
/// answers GET and HEAD (the server sends a HEAD response without its body); any other method gets
/// 405 with `Allow: GET, HEAD` and an unknown path 404.
public struct HTTPRouter: Sendable {
    /// Renders the response to a GET or HEAD request, on the connection's own thread: it may take
    /// a while (a large /metrics body) without holding up other clients.
    public typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse

    private var routes: [String: Handler]

    /// A router with the given routes (`["/healthz": { _ in .text("ok\n") }]`).
    public init(_ routes: [String: Handler] = [:]) {
        self.routes = routes
    }

    /// Adds or replaces the route for `path` (e.g. `/metrics`).
    public mutating func route(_ path: String, to handler: @escaping Handler) {
        routes[path] = handler
    }

    /// The routed paths, sorted.
    public var paths: [String] { routes.keys.sorted() }

    /// The response to `request`: the handler's, 404, or 405.
    public func response(for request: HTTPRequest) -> HTTPResponse {
        guard request.method == "GET" || request.method == "HEAD" else { return .methodNotAllowed }
        guard let handler = routes[request.path] else { return .notFound }
        return handler(request)
    }
}
