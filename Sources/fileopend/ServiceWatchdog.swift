import FileOpenCore
import FileOpenServer
import FileOpenSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
import Logging
import Synchronization

/// Feeds systemd's watchdog (`WatchdogSec=`) from a thread of its own, at half the interval the
/// manager asks for, but only while the consumer thread makes progress: before each `WATCHDOG=1`
/// it checks that the last drain pass ended less than one interval ago. A consumer stuck in a
/// drain (or a decode, or a lock) stops the pings, and systemd kills and restarts the service —
/// which a ping from a timer alone would hide.
final class ServiceWatchdog: Sendable {
    private let interval: Duration
    private let notifier: SystemdNotifier
    private let sinceLastDrain: @Sendable () -> Duration?
    private let logger: Logger
    /// Signalled by `stop()`; the thread waits on it between pings, so stopping is immediate.
    private let wake = DispatchSemaphore(value: 0)
    private let stopped = Atomic<Bool>(false)
    private let thread = Mutex<DedicatedThread?>(nil)

    init(
        interval: Duration, notifier: SystemdNotifier, logger: Logger,
        sinceLastDrain: @escaping @Sendable () -> Duration?
    ) {
        self.interval = interval
        self.notifier = notifier
        self.logger = logger
        self.sinceLastDrain = sinceLastDrain
    }

    /// Starts the `fileopend-wdog` thread.
    func start() {
        thread.withLock { thread in
            thread = DedicatedThread(name: "fileopend-wdog") { [self] in run() }
        }
    }

    /// Stops the thread and waits for it. Idempotent.
    func stop() {
        guard !stopped.exchange(true, ordering: .sequentiallyConsistent) else { return }
        wake.signal()
        thread.withLock { $0 }?.join()
    }

    private func run() {
        let period = interval / 2
        let periodSeconds = Double(period.components.seconds) + Double(period.components.attoseconds) / 1e18
        var withholding = false
        // The first keep-alive is due half an interval after READY=1, not at once: the consumer
        // may not have finished its first pass yet.
        while wake.wait(timeout: .now() + periodSeconds) == .timedOut, !stopped.load(ordering: .sequentiallyConsistent) {
            let progressing = sinceLastDrain().map { $0 < interval } ?? false
            if progressing {
                if withholding {
                    logger.notice("the consumer thread drains again; watchdog keep-alives resume")
                    withholding = false
                }
                do {
                    try notifier.watchdog()
                } catch {
                    logger.warning("cannot send the watchdog keep-alive: \(error)", metadata: errnoMetadata(error))
                }
            } else if !withholding {
                withholding = true
                let stalled = sinceLastDrain().map { "for \($0)" } ?? "yet"
                logger.critical("""
                    the consumer thread has not drained the ring buffer \(stalled); withholding watchdog \
                    keep-alives so that the service manager restarts the service
                    """)
            }
        }
    }

    private func errnoMetadata(_ error: ServerError) -> Logger.Metadata {
        error.errno.map { ["errno": "\($0)"] } ?? [:]
    }
}
