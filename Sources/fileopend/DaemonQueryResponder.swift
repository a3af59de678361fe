import FileOpenCore
import FileOpenServer
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Answers the query socket's commands from a snapshot of the counters and the daemon's figures.
/// `tail` is served by the query server itself from `tailHub`.
final class DaemonQueryResponder: QueryResponder {
    let tailHub: TailHub
    private let store: AggregatorStore
    /// Every component's statistics, read per `status` (`ComponentGroup.figures()`).
    private let figures: @Sendable () -> DaemonFigures
    /// Called before each answer's snapshot (the counts level folds the kernel's counts).
    private let refresh: @Sendable () -> Void
    /// The detail level in force, for `proc` and `tail`.
    private let detailLevel: @Sendable () -> DetailLevel
    private let started = ContinuousClock.now
    private let kernelRelease = DaemonQueryResponder.unameRelease()

    init(
        store: AggregatorStore, tailHub: TailHub, figures: @escaping @Sendable () -> DaemonFigures,
        refresh: @escaping @Sendable () -> Void, detailLevel: @escaping @Sendable () -> DetailLevel
    ) {
        self.store = store
        self.tailHub = tailHub
        self.figures = figures
        self.refresh = refresh
        self.detailLevel = detailLevel
    }

    func respond(to request: QueryRequest) -> Result<QueryResult, QueryError> {
        switch request {
        case .status, .top, .proc:
            // Only what reads the counters folds the kernel's counts first (the counts level).
            refresh()
        case .reset, .tail:
            break
        }
        switch request {
        case .status:
            return .success(.status(StatusReport(
                figures: figures(), aggregator: store.snapshot(), kernelRelease: kernelRelease,
                uptime: ContinuousClock.now - started
            )))
        case .top(let order, let limit, let comm, let group):
            return .success(.top(TopReport(store.snapshot(), by: order, limit: limit, comm: comm, group: group)))
        case .proc(let pid):
            let snapshot = store.snapshot()
            guard let process = snapshot.processes[pid] else {
                return .failure(QueryError(.notFound, "no process with pid \(pid) is tracked"))
            }
            return .success(.proc(ProcessReport(
                process, detailLevel: detailLevel(), unit: snapshot.cgroups.unit(of: process.cgroup)
            )))
        case .reset:
            return .success(.reset(ResetReport(processes: store.resetDetail())))
        case .tail:
            return detailLevel() == .counts ? .failure(.tailNeedsEvents) : .success(.streaming(StreamingReport()))
        }
    }

    /// The running kernel's release (`uname(2)`), e.g. "6.18.0".
    private static func unameRelease() -> String {
        var name = utsname()
        guard uname(&name) == 0 else { return "unknown" }
        return withUnsafeBytes(of: name.release) { KernelString.decode($0) }
    }
}
