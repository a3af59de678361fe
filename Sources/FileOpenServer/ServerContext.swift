import Logging
import Synchronization

/// What the accept thread and every connection thread of one `HTTPServer` share.
final class ServerContext: Sendable {
    let limits: HTTPServerLimits
    let router: HTTPRouter
    let logger: Logger
    let logLimiter = LogRateLimiter()
    let statistics = Mutex(HTTPServerStatistics())
    private let stopping = Atomic<Bool>(false)

    init(limits: HTTPServerLimits, router: HTTPRouter, logger: Logger) {
        self.limits = limits
        self.router = router
        self.logger = logger
    }

    /// Set once by `HTTPServer.stop()`, before it signals the wake fd.
    var isStopping: Bool { stopping.load(ordering: .acquiring) }

    func beginStopping() {
        stopping.store(true, ordering: .releasing)
    }

    func record(_ update: (inout HTTPServerStatistics) -> Void) {
        statistics.withLock { update(&$0) }
    }

    func recordResponse(status: Int) {
        statistics.withLock { $0.requestsByStatus[status, default: 0] += 1 }
    }
}
