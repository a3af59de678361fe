import FileOpenCore
import FileOpenServer
import Foundation
import Synchronization

/// Answers the query socket's commands from a snapshot of the counters and the daemon's figures.
/// `tail` is served by the query server itself from `tailHub`.
final class DaemonQueryResponder: QueryResponder {
    let tailHub: TailHub
    private let store: AggregatorStore
    /// The daemon's own figures and the query server's client counts, gathered per request; set
    /// by the runtime once everything they come from exists (the socket is bound before that).
    private let daemonFigures = Mutex<(@Sendable () -> (DaemonMetrics, StatusReport.Clients))?>(nil)
    private let started = ContinuousClock.now
    private let kernelRelease = DaemonQueryResponder.unameRelease()

    /// Called before each answer's snapshot (the counts level folds the kernel's counts).
    private let refresh = Mutex<@Sendable () -> Void>({})

    /// The detail level in force, for `proc`.
    private let detailLevel = Mutex<@Sendable () -> DetailLevel>({ .events })

    init(store: AggregatorStore, tailHub: TailHub) {
        self.store = store
        self.tailHub = tailHub
    }

    /// What to call before reading the counters, and where the detail level comes from.
    func provideRefresh(_ refresh: @escaping @Sendable () -> Void, detailLevel: @escaping @Sendable () -> DetailLevel) {
        self.refresh.withLock { $0 = refresh }
        self.detailLevel.withLock { $0 = detailLevel }
    }

    /// Where `status` gets the daemon's figures from.
    func provideDaemonFigures(_ figures: @escaping @Sendable () -> (DaemonMetrics, StatusReport.Clients)) {
        daemonFigures.withLock { $0 = figures }
    }

    func respond(to request: QueryRequest) -> Result<QueryResult, QueryError> {
        refresh.withLock { $0 }()
        switch request {
        case .status:
            guard let figures = daemonFigures.withLock({ $0 }) else {
                return .failure(QueryError(.internal, "the daemon is still starting"))
            }
            let (daemon, clients) = figures()
            return .success(.status(StatusReport(
                daemon: daemon, aggregator: store.snapshot(), kernelRelease: kernelRelease,
                uptime: ContinuousClock.now - started, clients: clients
            )))
        case .top(let order, let limit, let comm, let group):
            return .success(.top(TopReport(store.snapshot(), by: order, limit: limit, comm: comm, group: group)))
        case .proc(let pid):
            let snapshot = store.snapshot()
            guard let process = snapshot.processes[pid] else {
                return .failure(QueryError(.notFound, "no process with pid \(pid) is tracked"))
            }
            return .success(.proc(ProcessReport(
                process, detailLevel: detailLevel.withLock { $0 }(), unit: snapshot.cgroups.unit(of: process.cgroup)
            )))
        case .reset:
            return .success(.reset(ResetReport(processes: store.resetDetail())))
        case .tail:
            return detailLevel.withLock { $0 }() == .counts ? .failure(.tailNeedsEvents) : .success(.streaming(StreamingReport()))
        }
    }

    /// The running kernel's release (`uname(2)`), e.g. "6.18.0".
    private static func unameRelease() -> String {
        var name = utsname()
        guard uname(&name) == 0 else { return "unknown" }
        return withUnsafeBytes(of: name.release) { KernelString.decode($0) }
    }
}
