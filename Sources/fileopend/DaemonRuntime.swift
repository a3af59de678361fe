import BPF
import FileOpenCore
import FileOpenProbe
import FileOpenServer
import Logging

/// The running daemon: its components, wired once and run as one `ComponentGroup`.
///
///     probe (+ consumer thread) → maintenance → metrics server → query server → service manager
///
/// Started in that order (READY=1 last), stopped in reverse (STOPPING=1 first, the probe's last
/// drain last, so it sees every record the probe produced). Every figure /metrics, `status` and
/// the shutdown line show is a component's own statistics, read through the group (`figures()`).
final class DaemonRuntime: Sendable {
    let store: AggregatorStore
    private let group: ComponentGroup
    private let probe: ProbeComponent
    private let serviceManager: ServiceManagerComponent
    private let metricsServer: MetricsServerComponent
    private let tailHub: TailHub
    /// Whether --print prints every event: the detail level must stay `events`.
    private let printing: Bool

    /// Takes or binds the listeners and the query socket (so a taken port or a running daemon
    /// fails before anything is loaded), attaches the probe, then builds the components and
    /// starts them; the last one tells systemd READY=1 and starts feeding its watchdog.
    init(settings: DaemonSettings, printer: EventPrinter?, logger: Logger) throws(DaemonStartError) {
        if printer != nil && settings.probe.detailLevel == .counts { throw .printNeedsEvents }
        printing = printer != nil
        let notifier = SystemdNotifier()
        ServiceManagerComponent.notify(logger) { () throws(ServerError) in
            try notifier.status("binding the metrics and query sockets")
        }
        let listeners = try DaemonListeners.open(settings: settings, logger: logger)
        let mode = settings.probe.mode
        ServiceManagerComponent.notify(logger) { () throws(ServerError) in try notifier.status("attaching in \(mode) mode") }
        let attached: FileOpenProgram
        do {
            attached = try FileOpenProgram.attach(settings: settings.probe, logger: logger)
        } catch {
            listeners.close()
            throw .probe(error)
        }

        let store = AggregatorStore(settings: settings.aggregator)
        self.store = store
        let tailHub = TailHub()
        self.tailHub = tailHub
        #if TestHooks
        if let count = settings.syntheticProcesses {
            logger.warning("\(SyntheticProcesses.variable)=\(count) is set (a test-only control): tracking synthetic processes")
            SyntheticProcesses.inject(count: count, timestamp: BootClock.now()) { store.apply($0) }
        }
        #endif
        let maintenance = Maintenance(
            probe: attached, store: store, rateWindow: settings.aggregator.rateWindow, logger: logger
        )
        // Units: the v2 cgroups that exist now, before the first record names one.
        let cgroups = CgroupHierarchy.detect()
        cgroups.learn(into: store, logger: logger)
        maintenance.relearnCgroups(from: cgroups)
        // What the kernel keeps out is counted nowhere else: say so once, at start.
        if !attached.filters.items.isEmpty {
            logger.notice("""
                filters in force: \(attached.filters.items.joined(separator: ", ")): opens they keep out are \
                counted in no family, only in fileopen_filtered_opens_total
                """)
        }
        let probe = ProbeComponent(
            probe: attached, settings: settings, store: store, tailHub: tailHub, printer: printer,
            afterDrain: { maintenance.drained() }, logger: logger
        )
        self.probe = probe
        maintenance.drainBeforeRefresh { probe.drainNow() }
        let group = ComponentGroup(build: BuildInfo(libbpfVersion: BPFLibraryVersion.current), logger: logger)
        self.group = group
        let responder = DaemonQueryResponder(
            store: store, tailHub: tailHub, figures: { group.figures() }, refresh: { maintenance.refresh() },
            detailLevel: { attached.detailLevel }
        )
        let router = MetricsEndpoint.router(
            store: store, refresh: { maintenance.refresh() }, daemon: { group.figures() },
            readiness: { maintenance.readiness() }
        )
        let metricsServer: MetricsServerComponent
        do {
            metricsServer = try MetricsServerComponent(
                sockets: listeners.metrics, inherited: listeners.metricsInherited, router: router, web: settings.web,
                logger: logger
            )
        } catch {
            listeners.close()
            attached.close()
            throw error
        }
        self.metricsServer = metricsServer
        let queryServer = QueryServerComponent(
            listener: listeners.query, inherited: listeners.queryInherited, responder: responder, logger: logger
        )
        serviceManager = ServiceManagerComponent(
            notifier: notifier,
            readyStatus: "attached in \(attached.mode) mode; serving metrics on "
                + metricsServer.addresses.map { "\($0)" }.joined(separator: ", ")
                + "; queries on \(queryServer.socketDescription)",
            logger: logger,
            sinceLastDrain: { maintenance.sinceLastDrain }
        )
        for component: any DaemonComponent in [probe, maintenance, metricsServer, queryServer, serviceManager] {
            group.add(component)
        }
        try group.start()
    }

    /// Stops every component in reverse order: STOPPING=1, the servers, then the probe (detach,
    /// last drain, close). Idempotent.
    func stop() {
        group.stop()
    }

    /// Every component's statistics now (after `stop()`: their last).
    func figures() -> DaemonFigures {
        group.figures()
    }

    /// Switches the detail level (a reload): nil once done, else why it was refused.
    func applyDetailLevel(_ level: DetailLevel) -> String? {
        if printing && level == .counts { return DaemonStartError.printNeedsEvents.description }
        do {
            try probe.probe.setDetailLevel(level)
        } catch {
            return "\(error)"
        }
        // No record per open any more: the tail streams end with the error a new one gets.
        if level == .counts { tailHub.endAll(.tailNeedsEvents) }
        return nil
    }

    /// A reload's web configuration (`web_config_file`, read again): nil once applied, else why not.
    func applyWebSecurity(_ web: WebSecurity) -> String? {
        metricsServer.apply(web)
    }

    /// Replaces the kernel's filters (a reload): nil once done, else why it was refused.
    func applyFilters(_ filters: OpenFilters) -> String? {
        do {
            try probe.probe.setFilters(filters, hierarchy: CgroupHierarchy.detect())
        } catch {
            return "\(error)"
        }
        return nil
    }

    /// Before a reload (SIGHUP) re-reads the configuration: RELOADING=1.
    func notifyReloading() {
        serviceManager.notifyReloading()
    }

    /// After a reload (applied or refused): READY=1 with the serving status.
    func notifyReady() {
        serviceManager.notifyReady()
    }
}
