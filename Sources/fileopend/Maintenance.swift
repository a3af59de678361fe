import FileOpenCore
import FileOpenProbe
import Logging
import Synchronization

/// What the consumer thread does after each drain pass: note the time (readiness, and later the
/// watchdog, look at it), and at most once per `DaemonRuntime.maintenanceInterval` fold the
/// kernel's missed-opens counts into the aggregator, delete the entries of processes that have
/// exited (so the kernel map never fills), and expire processes past their retention; once per
/// rate window, end the window of `top`'s rates.
final class Maintenance: Sendable {
    private let probe: FileOpenProbe
    private let store: AggregatorStore
    private let logger: Logger
    private let lastRun = Mutex<ContinuousClock.Instant?>(nil)
    private let lastDrain = Mutex<ContinuousClock.Instant?>(nil)
    private let rateWindow: Duration
    private let windowStarted = Mutex(ContinuousClock.now)
    private let missedTracker = Mutex(MissedOpensTracker())

    init(probe: FileOpenProbe, store: AggregatorStore, rateWindow: Duration, logger: Logger) {
        self.probe = probe
        self.store = store
        self.rateWindow = rateWindow
        self.logger = logger
    }

    /// Called by the consumer thread after each drain pass.
    func drained() {
        let now = ContinuousClock.now
        lastDrain.withLock { $0 = now }
        let due = lastRun.withLock { last in
            guard last.map({ now - $0 >= DaemonRuntime.maintenanceInterval }) ?? true else { return false }
            last = now
            return true
        }
        if due { run() }
    }

    /// How long ago the consumer thread finished its last drain pass (nil before the first).
    var sinceLastDrain: Duration? {
        lastDrain.withLock { $0 }.map { ContinuousClock.now - $0 }
    }

    private func run() {
        let now = ContinuousClock.now
        let windowEnded = windowStarted.withLock { started in
            guard now - started >= rateWindow else { return false }
            started = now
            return true
        }
        if windowEnded { store.rollRateWindow() }
        var missed: [ProcessIdentity: MissedOpens]?
        do {
            missed = try probe.missedOpens()
        } catch {
            logger.error("reading the missed-opens map failed: \(error)")
        }
        if let missed, let report = missedTracker.withLock({ $0.observe(missed) }) { warn(report) }
        for identity in store.maintain(missed: missed, now: BootClock.now()) {
            do {
                try probe.forgetMissed(identity)
            } catch {
                logger.error("deleting the missed-opens entry of process \(identity) failed: \(error)")
            }
        }
    }

    /// A notable event for the journal, with the process as fields (`PID`, `COMM`, `OPENS`).
    private func warn(_ report: MissedOpensTracker.Report) {
        logger.warning(
            """
            \(report.opens) opens of \(report.processes) processes reached no ring buffer record (counted, but \
            missing from tail and top paths); most: pid \(report.worst.pid) (\(report.worstComm)), \
            \(report.worstOpens) opens. A larger ring_buffer_size or a shorter drain_interval helps
            """,
            metadata: ["pid": "\(report.worst.pid)", "comm": "\(report.worstComm)", "opens": "\(report.opens)"]
        )
    }
}
