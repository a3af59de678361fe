import BPF
import FileOpenCore
import FileOpenProbe
import FileOpenServer
import Foundation
import Logging
import Synchronization

/// The running daemon: the probe, the consumer thread feeding the aggregator, the tail streams
/// (and the printer, with --print), the HTTP listeners serving /metrics and the query socket.
/// Started in dependency order, stopped in reverse, so the last drain sees every record the probe
/// produced.
final class DaemonRuntime: Sendable {
    /// How often the consumer thread folds in the kernel's missed counts and expires processes.
    static let maintenanceInterval: Duration = .seconds(1)

    let probe: FileOpenProbe
    let store: AggregatorStore
    let consumer: FileOpenConsumer
    /// The v2 cgroup hierarchy opens are attributed by (units).
    let cgroups: CgroupHierarchy
    let tailHub = TailHub()
    /// Set once the servers exist: their answers include their own statistics, so they come last.
    private let server = Mutex<HTTPServer?>(nil)
    private let queryServer = Mutex<QueryServer?>(nil)
    private let maintenance: Maintenance
    private let logger: Logger

    /// The service manager's notification socket (`Type=notify`); silent without systemd.
    private let notifier = SystemdNotifier()
    /// Fed while the consumer drains, when the unit sets `WatchdogSec=`.
    private let watchdog: ServiceWatchdog?
    #if TestHooks
    /// Test-only (`FILEOPEND_TEST_FREEZE_CONSUMER_AFTER`), nil otherwise.
    private let freeze: ConsumerFreeze?
    #endif
    /// Whether --print prints every event: the detail level must stay `events`.
    private let printing: Bool
    /// The STATUS= line sent with READY=1, sent again after a reload.
    private let readyStatus: String

    /// Takes or binds the listeners and the query socket (so a taken port or a running daemon
    /// fails before anything is loaded), attaches the probe and starts the consumer and the
    /// servers; only then tells systemd READY=1 and starts feeding its watchdog.
    init(settings: DaemonSettings, printer: EventPrinter?, logger: Logger) throws(DaemonStartError) {
        if printer != nil && settings.probe.detailLevel == .counts { throw .printNeedsEvents }
        self.printing = printer != nil
        self.logger = logger
        let notifier = notifier
        Self.notify(logger) { () throws(ServerError) in try notifier.status("binding the metrics and query sockets") }
        let store = AggregatorStore(settings: settings.aggregator)
        self.store = store
        let responder = DaemonQueryResponder(store: store, tailHub: tailHub)
        let listeners = try DaemonListeners.open(settings: settings, responder: responder, logger: logger)
        let sockets = listeners.metrics
        let queryServer = listeners.query
        let mode = settings.probe.mode
        Self.notify(logger) { () throws(ServerError) in try notifier.status("attaching in \(mode) mode") }
        do {
            probe = try FileOpenProbe.attach(settings: settings.probe, logger: logger)
        } catch {
            sockets.forEach { $0.close() }
            queryServer.stop()
            throw .probe(error)
        }
        let maintenance = Maintenance(
            probe: probe, store: store, rateWindow: settings.aggregator.rateWindow, logger: logger
        )
        self.maintenance = maintenance
        var afterDrain: @Sendable () -> Void = { maintenance.drained() }
        #if TestHooks
        // The freeze check only exists when the test-only control is set.
        let freeze = settings.freeze.map(ConsumerFreeze.init)
        self.freeze = freeze
        if let freeze {
            logger.warning("\(freeze.warning)")
            afterDrain = {
                maintenance.drained()
                freeze.blockIfDue()
            }
        }
        if let count = settings.syntheticProcesses {
            logger.warning("\(SyntheticProcesses.variable)=\(count) is set (a test-only control): tracking synthetic processes")
            SyntheticProcesses.inject(count: count, timestamp: BootClock.now()) { store.apply($0) }
        }
        #endif
        cgroups = CgroupHierarchy.detect()
        cgroups.learn(into: store, logger: logger)
        maintenance.relearnCgroups(from: cgroups)
        let tailHub = tailHub
        consumer = FileOpenConsumer(
            probe: probe, logger: logger, store: store,
            wantsRecords: { printer != nil || tailHub.subscriberCount > 0 },
            deliver: { batch in
                tailHub.publish(batch)
                printer?.print(batch)
            },
            afterDrain: afterDrain
        )
        maintenance.drainBeforeRefresh { [consumer] in consumer.drainNow() }
        consumer.start()
        watchdog = Self.makeWatchdog(notifier: notifier, maintenance: maintenance, logger: logger)
        let queryPath = queryServer.socketPath ?? "an inherited socket"
        readyStatus = "attached in \(probe.mode) mode; serving metrics on "
            + sockets.map { "\($0.boundAddress)" }.joined(separator: ", ") + "; queries on \(queryPath)"
        // The runtime outlives its servers (stop() stops them first): no strong references back.
        responder.provideDaemonFigures { [unowned self] in (daemonMetrics(), queryClients()) }
        let probe = probe
        responder.provideRefresh({ maintenance.refresh() }, detailLevel: { probe.detailLevel })
        let router = MetricsEndpoint.router(
            store: store, refresh: { maintenance.refresh() }, daemon: { [unowned self] in daemonMetrics() },
            readiness: { [unowned self] in readiness() }
        )
        let server = HTTPServer(sockets: sockets, logger: logger, router: router)
        self.server.withLock { $0 = server }
        self.queryServer.withLock { $0 = queryServer }
        do {
            try server.start()
        } catch {
            stop()
            throw .listen(error)
        }
        do {
            try queryServer.start()
        } catch {
            stop()
            throw .querySocket(error)
        }
        let metricsOrigin = listeners.metricsInherited ? " (socket passed by the service manager)" : ""
        for address in server.addresses {
            logger.notice("serving metrics on http://\(address)/metrics\(metricsOrigin)")
        }
        let queryOrigin = listeners.queryInherited ? " (socket passed by the service manager)" : ""
        logger.notice("answering queries on \(queryPath)\(queryOrigin)")
        MemoryTuning.trimAfterStartUp()
        notifyReady()
        watchdog?.start()
    }

    /// Stops serving, detaches the probe, lets the consumer drain the rest, stops it. Tells
    /// systemd STOPPING=1 first and stops the watchdog, whose pings would now be meaningless.
    func stop() {
        Self.notify(logger) { [notifier] () throws(ServerError) in
            try notifier.stopping(status: "stopping: detaching the probe and closing the sockets")
        }
        watchdog?.stop()
        server.withLock { $0 }?.stop()
        queryServer.withLock { $0 }?.stop()
        probe.detach()
        #if TestHooks
        freeze?.release()
        #endif
        consumer.stop()
    }

    /// Switches the detail level (a reload): nil once done, else why it was refused.
    func applyDetailLevel(_ level: DetailLevel) -> String? {
        if printing && level == .counts { return DaemonStartError.printNeedsEvents.description }
        do {
            try probe.setDetailLevel(level)
        } catch {
            return "\(error)"
        }
        // No record per open any more: the tail streams end with the error a new one gets.
        if level == .counts { tailHub.endAll(.tailNeedsEvents) }
        return nil
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

    /// The watchdog `WATCHDOG_USEC` asks for (nil without one), fed by the consumer's progress.
    private static func makeWatchdog(
        notifier: SystemdNotifier, maintenance: Maintenance, logger: Logger
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
        return ServiceWatchdog(interval: interval, notifier: notifier, logger: logger) { maintenance.sinceLastDrain }
    }

    /// Sends a notification; a failure is logged, never fatal (the manager may be gone already).
    private static func notify(_ logger: Logger, _ send: () throws(ServerError) -> Void) {
        do {
            try send()
        } catch {
            logger.warning("cannot notify the service manager: \(error)", metadata: error.errno.map { ["errno": "\($0)"] })
        }
    }

    /// The query socket's client counts for `status`.
    private func queryClients() -> StatusReport.Clients {
        let statistics = queryServer.withLock { $0 }?.statistics
        return StatusReport.Clients(
            connected: statistics?.connected ?? 0, tailing: tailHub.subscriberCount,
            tailDroppedEvents: tailHub.droppedEvents
        )
    }

    /// The daemon's own figures for a scrape.
    func daemonMetrics() -> DaemonMetrics {
        var metrics = DaemonMetrics()
        metrics.version = FileOpenVersion.current
        metrics.libbpfVersion = BPFLibraryVersion.current
        metrics.attachMode = probe.mode
        metrics.detailLevel = probe.detailLevel
        let statistics = consumer.statistics
        metrics.openRecords = statistics.opens
        metrics.exitRecords = statistics.exits
        metrics.cgroupRecords = statistics.cgroups
        (metrics.cgroupMode, metrics.cgroupMount) = (cgroups.mode.rawValue, cgroups.mountPoint ?? "")
        metrics.undecodableRecords = statistics.undecodable
        metrics.consumerDrains = statistics.drains
        metrics.drops = (try? probe.dropCounts()) ?? DropCounts()
        metrics.ringBufferBytes = probe.ringBuffer.capacity
        metrics.ringBufferPendingBytes = probe.ringBuffer.pendingBytes
        (metrics.missedMapEntries, metrics.missedCommMapEntries) = maintenance.missedMapEntries
        metrics.missedMapCapacity = probe.settings.missedMapCapacity
        metrics.missedCommMapCapacity = probe.settings.missedCommMapCapacity
        metrics.exitsFoundByLivenessCheck = maintenance.exitsFoundByLivenessCheck
        if let server = server.withLock({ $0 }) {
            let http = server.statistics
            metrics.http.requestsByStatus = http.requestsByStatus
            metrics.http.connectionsAccepted = http.connectionsAccepted
            metrics.http.connections = http.connectionsOpen
            metrics.http.connectionLimit = server.limits.maxConnections
            metrics.http.connectionsRefused = http.connectionsRefused
            metrics.http.connectionsEvicted = http.connectionsEvicted
            metrics.http.requestsRefused = http.requestsRefused
            metrics.http.headTimeouts = http.headTimeouts
            metrics.http.idleTimeouts = http.idleTimeouts
            metrics.http.writeTimeouts = http.writeTimeouts
            metrics.http.responsesShed = http.responsesShed
            metrics.http.clientDisconnects = http.clientDisconnects
        }
        if let queryServer = queryServer.withLock({ $0 }) {
            let query = queryServer.statistics
            metrics.query.clientsConnected = query.connected
            metrics.query.clientLimit = queryServer.limits.maxConnections
            metrics.query.requests = query.requests
            metrics.query.errors = query.errors
            metrics.query.connectionsRefused = query.refused
            metrics.query.connectionsEvicted = query.evicted
            metrics.query.requestsRefused = query.requestsRefused
            metrics.query.idleTimeouts = query.idleTimeouts
            metrics.query.writeTimeouts = query.writeTimeouts
            metrics.query.repliesShed = query.repliesShed
        }
        metrics.query.clientsTailing = tailHub.subscriberCount
        metrics.query.tailDroppedEvents = tailHub.droppedEvents
        metrics.process = ProcessUsageReader().read()
        return metrics
    }

    /// Ready while the consumer thread keeps draining (it passes at least once per drain interval).
    func readiness() -> Readiness {
        guard let stalled = maintenance.sinceLastDrain else {
            return .notReady("the consumer thread has not drained the ring buffer yet")
        }
        let limit = max(Duration.seconds(2), probe.settings.drainInterval * 100)
        return stalled < limit ? .ready : .notReady("the consumer thread has not drained the ring buffer for \(stalled)")
    }
}

/// Why the daemon could not start, with the exit status for each (sysexits.h).
enum DaemonStartError: Error, CustomStringConvertible {
    case listen(ServerError)
    case querySocket(ServerError)
    case probe(ProbeError)
    case printNeedsEvents

    var description: String {
        switch self {
        case .listen(let error): "cannot serve metrics: \(error)"
        case .querySocket(let error): "cannot serve queries: \(error)"
        case .probe(let error): "\(error)"
        case .printNeedsEvents:
            "--print needs detail_level events, and it is counts: set detail_level: events (or --detail-level events)"
        }
    }

    var exitCode: Int32 {
        switch self {
        case .printNeedsEvents: 78
        case .listen(.invalidListenAddress): 64
        case .listen, .querySocket: 69
        case .probe(let error): error.exitCode
        }
    }
}
