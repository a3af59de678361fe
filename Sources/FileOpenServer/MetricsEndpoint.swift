public import FileOpenCore
import FileOpenSystem

/// The routes of the metrics listener: `/metrics` (Prometheus text or OpenMetrics, as the
/// client's `Accept` asks), `/healthz` (the process answers), `/readyz` (probe attached, consumer
/// draining) and a short index page at `/`.
public enum MetricsEndpoint {
    /// - Parameters:
    ///   - store: the counters; each scrape renders from a snapshot, with no lock held.
    ///   - refresh: called before each scrape's snapshot (the counts level folds the kernel's counts).
    ///   - daemon: the daemon's own figures (every component's statistics), gathered at each scrape.
    ///   - readiness: the answer of `/readyz`.
    public static func router(
        store: AggregatorStore,
        refresh: @escaping @Sendable () -> Void = {},
        daemon: @escaping @Sendable () -> DaemonFigures,
        readiness: @escaping @Sendable () -> Readiness
    ) -> HTTPRouter {
        var router = HTTPRouter([
            "/healthz": { _ in .text("ok\n") },
            "/readyz": { _ in
                switch readiness() {
                case .ready: .text("ready\n")
                case .notReady(let reason): .text("not ready: \(reason)\n", status: .serviceUnavailable)
                }
            },
            "/": { _ in .text(indexPage, contentType: "text/html; charset=utf-8") },
        ])
        // Scrapes at the same time share a render (one per format at a time), so a flood of
        // them costs one render at a time.
        router.route("/metrics", sharedBy: { "\(ExpositionFormat.negotiate(accept: $0.accept))" }) { request in
            refresh()
            return metrics(request, store: store, daemon: daemon)
        }
        return router
    }

    static func metrics(
        _ request: HTTPRequest, store: AggregatorStore, daemon: @Sendable () -> DaemonFigures
    ) -> HTTPResponse {
        let start = ContinuousClock.now
        let format = ExpositionFormat.negotiate(accept: request.accept)
        let snapshot = store.snapshot()
        // About 150 bytes of series per process and comm, so the body grows once at most.
        var writer = ExpositionWriter(
            format: format, reservingCapacity: 16_384 + 150 * (4 * snapshot.processes.count + 2 * snapshot.comms.count),
            bufferAdvice: HugePages.advise
        )
        ProcessMetricsRenderer.render(snapshot, into: &writer)
        AggregatorMetricsRenderer.render(snapshot, into: &writer)
        daemon().writeMetrics(into: &writer)
        AggregatorMetricsRenderer.renderScrapeDuration(ContinuousClock.now - start, into: &writer)
        return HTTPResponse(status: .ok, contentType: format.contentType, body: writer.finish())
    }

    static let indexPage = """
        <!doctype html>
        <html><head><title>fileopend</title></head>
        <body>
        <h1>fileopend</h1>
        <p>File opens on this host, counted with eBPF.</p>
        <ul>
        <li><a href="/metrics">/metrics</a> &mdash; Prometheus metrics (text 0.0.4, or OpenMetrics 1.0 on request)</li>
        <li><a href="/healthz">/healthz</a> &mdash; the daemon is alive</li>
        <li><a href="/readyz">/readyz</a> &mdash; the probe is attached and the consumer is draining</li>
        </ul>
        </body></html>

        """
}
