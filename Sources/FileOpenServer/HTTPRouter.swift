/// The table of endpoints: an exact path (compared raw, without the query) to a handler. Every route
/// answers GET and HEAD (the server sends a HEAD response without its body); any other method gets
/// 405 with `Allow: GET, HEAD` and an unknown path 404.
public struct HTTPRouter: Sendable {
    /// Renders the response to a GET or HEAD request, on a worker thread: it may take a while (a
    /// large /metrics body) without holding up other clients.
    public typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse
    /// What tells apart the responses of a shared route: requests with equal keys get equal responses.
    public typealias SharingKey = @Sendable (HTTPRequest) -> String

    private struct Route {
        let handler: Handler
        let sharingKey: SharingKey?
    }

    private var routes: [String: Route]

    /// A router with the given routes (`["/healthz": { _ in .text("ok\n") }]`).
    public init(_ routes: [String: Handler] = [:]) {
        self.routes = routes.mapValues { Route(handler: $0, sharingKey: nil) }
    }

    /// Adds or replaces the route for `path` (e.g. `/healthz`).
    public mutating func route(_ path: String, to handler: @escaping Handler) {
        routes[path] = Route(handler: handler, sharingKey: nil)
    }

    /// Adds or replaces a shared route: requests that arrive while its handler runs for a request
    /// with the same key are answered together by its next run (`SharedRender`), so a flood of
    /// them costs one run at a time. For an expensive response that depends on nothing in the
    /// request but what `key` returns (`/metrics`: the format).
    public mutating func route(_ path: String, sharedBy key: @escaping SharingKey, to handler: @escaping Handler) {
        routes[path] = Route(handler: handler, sharingKey: key)
    }

    /// The routed paths, sorted.
    public var paths: [String] { routes.keys.sorted() }

    /// The response to `request`: the handler's, 404, or 405.
    public func response(for request: HTTPRequest) -> HTTPResponse {
        guard request.method == "GET" || request.method == "HEAD" else { return .methodNotAllowed }
        guard let route = routes[request.path] else { return .notFound }
        return route.handler(request)
    }

    /// The key under which `request`'s response is shared, nil if its route is not shared.
    func sharingKey(for request: HTTPRequest) -> String? {
        guard request.method == "GET" || request.method == "HEAD", let route = routes[request.path],
              let key = route.sharingKey
        else { return nil }
        return "\(request.path) \(key(request))"
    }
}
