import FileOpenCore
import Logging
import Synchronization

/// What the accept thread and every connection thread of one `QueryServer` share.
final class QueryServerContext: Sendable {
    let limits: QueryServerLimits
    let responder: any QueryResponder
    let logger: Logger
    /// The socket file's group: its members may read. Nil: only root gets in.
    let socketGroupID: UInt32?
    /// The group's name (or number) for permission messages.
    let groupName: String
    let logLimiter = LogRateLimiter()
    let statistics = Mutex(QueryServerStatistics())
    private let stopping = Atomic<Bool>(false)

    init(
        limits: QueryServerLimits, responder: any QueryResponder, logger: Logger, socketGroupID: UInt32?,
        groupName: String
    ) {
        self.limits = limits
        self.responder = responder
        self.logger = logger
        self.socketGroupID = socketGroupID
        self.groupName = groupName
    }

    /// Set once by `QueryServer.stop()`, before it signals the wake fd.
    var isStopping: Bool { stopping.load(ordering: .acquiring) }

    func beginStopping() {
        stopping.store(true, ordering: .releasing)
    }

    func record(_ update: (inout QueryServerStatistics) -> Void) {
        statistics.withLock { update(&$0) }
    }
}
