import FileOpenServer
import Logging

/// The daemon's side of systemd (`Type=notify`): READY=1 once every other component has started
/// (so it starts last), STOPPING=1 before any stops (so it stops first), RELOADING=1 and READY=1
/// around a reload, and the watchdog's keep-alives while the consumer thread makes progress.
/// Silent without a service manager.
final class ServiceManagerComponent: DaemonComponent {
    let name = "service manager"
    private let notifier: SystemdNotifier
    /// Fed while the consumer drains, when the unit sets `WatchdogSec=`.
    private let watchdog: ServiceWatchdog?
    /// The STATUS= line sent with READY=1, sent again after a reload.
    private let readyStatus: String
    private let logger: Logger

    /// - Parameter sinceLastDrain: how long ago the consumer thread finished a drain pass.
    init(
        notifier: SystemdNotifier, readyStatus: String, logger: Logger,
        sinceLastDrain: @escaping @Sendable () -> Duration?
    ) {
        self.notifier = notifier
        self.readyStatus = readyStatus
        self.logger = logger
        watchdog = Self.makeWatchdog(notifier: notifier, logger: logger, sinceLastDrain: sinceLastDrain)
    }

    /// Start-up is over: hands its heap back, tells the manager READY=1, starts the watchdog.
    func start() {
        MemoryTuning.trimAfterStartUp()
        notifyReady()
        watchdog?.start()
    }

    /// STOPPING=1 first, then the watchdog stops: its pings would now be meaningless.
    func stop() {
        Self.notify(logger) { [notifier] () throws(ServerError) in
            try notifier.stopping(status: "stopping: detaching the probe and closing the sockets")
        }
        watchdog?.stop()
    }

    /// Before a reload (SIGHUP) re-reads the configuration: RELOADING=1 with MONOTONIC_USEC.
    func notifyReloading() {
        Self.notify(logger) { [notifier] () throws(ServerError) in
            try notifier.reloading(status: "reloading the configuration")
        }
    }

    /// After start-up, and after a reload (applied or refused): READY=1 with the serving status.
    func notifyReady() {
        Self.notify(logger) { [notifier, readyStatus] () throws(ServerError) in try notifier.ready(status: readyStatus) }
    }

    /// Sends a notification; a failure is logged, never fatal (the manager may be gone already).
    static func notify(_ logger: Logger, _ send: () throws(ServerError) -> Void) {
        do {
            try send()
        } catch {
            logger.warning("cannot notify the service manager: \(error)", metadata: error.errno.map { ["errno": "\($0)"] })
        }
    }

    /// The watchdog `WATCHDOG_USEC` asks for (nil without one), fed by the consumer's progress.
    private static func makeWatchdog(
        notifier: SystemdNotifier, logger: Logger, sinceLastDrain: @escaping @Sendable () -> Duration?
    ) -> ServiceWatchdog? {
        let interval: Duration?
        do {
            interval = try SystemdNotifier.watchdogInterval()
        } catch {
            logger.warning("cannot read the watchdog interval: \(error)", metadata: error.errno.map { ["errno": "\($0)"] })
            return nil
        }
        guard let interval else { return nil }
        logger.info("watchdog: keep-alives every \(interval / 2) while the consumer thread drains")
        return ServiceWatchdog(interval: interval, notifier: notifier, logger: logger, sinceLastDrain: sinceLastDrain)
    }
}
