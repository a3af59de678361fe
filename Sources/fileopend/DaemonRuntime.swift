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
    let tailHub = TailHub()
    /// Set once the servers exist: their answers include their own statistics, so they come last.
    private let server = Mutex<HTTPServer?>(nil)
    private let queryServer = Mutex<QueryServer?>(nil)
    private let maintenance: Maintenance
    private let logger: Logger

    /// Binds the listeners and the query socket (so a taken port or a running daemon fails before
    /// anything is loaded), attaches the probe and starts the consumer and the servers.
    init(settings: DaemonSettings, printer: EventPrinter?, logger: Logger) throws(DaemonStartError) {
        self.logger = logger
        let sockets: [ListeningSocket]
        do {
            sockets = try settings.listen.map { address throws(ServerError) in try ListeningSocket.bind(address) }
        } catch {
            throw .listen(error)
        }
        let store = AggregatorStore(settings: settings.aggregator)
        self.store = store
        let responder = DaemonQueryResponder(store: store, tailHub: tailHub)
        let queryServer: QueryServer
        do {
            queryServer = try QueryServer(
                socketPath: settings.socketPath, group: settings.socketGroup, logger: logger, responder: responder
            )
        } catch {
            sockets.forEach { $0.close() }
            throw .querySocket(error)
        }
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
        let tailHub = tailHub
        consumer = FileOpenConsumer(
            probe: probe, logger: logger,
            deliver: { batch in
                store.apply(batch)
                tailHub.publish(batch)
                printer?.print(batch)
            },
            afterDrain: { maintenance.drained() }
        )
        consumer.start()
        // The runtime outlives its servers (stop() stops them first): no strong references back.
        responder.provideDaemonFigures { [unowned self] in (daemonMetrics(), queryClients()) }
        let router = MetricsEndpoint.router(
            store: store, daemon: { [unowned self] in daemonMetrics() }, readiness: { [unowned self] in readiness() }
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
        for address in server.addresses {
            logger.notice("serving metrics on http://\(address)/metrics")
        }
        logger.notice("answering queries on \(settings.socketPath)")
    }

    /// Stops serving, detaches the probe, lets the consumer drain the rest, stops it.
    func stop() {
        server.withLock { $0 }?.stop()
        queryServer.withLock { $0 }?.stop()
        probe.detach()
        consumer.stop()
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
        let statistics = consumer.statistics
        metrics.openRecords = statistics.opens
        metrics.exitRecords = statistics.exits
        metrics.undecodableRecords = statistics.undecodable
        metrics.consumerDrains = statistics.drains
        metrics.drops = (try? probe.dropCounts()) ?? DropCounts()
        metrics.ringBufferBytes = probe.ringBuffer.capacity
        metrics.ringBufferPendingBytes = probe.ringBuffer.pendingBytes
        let http = server.withLock { $0 }?.statistics ?? HTTPServerStatistics()
        metrics.http.requestsByStatus = http.requestsByStatus
        metrics.http.connectionsAccepted = http.connectionsAccepted
        metrics.http.connectionsRefused = http.connectionsRefused
        metrics.http.timeouts = http.timeouts
        metrics.http.clientDisconnects = http.clientDisconnects
        let query = queryServer.withLock { $0 }?.statistics ?? QueryServerStatistics()
        metrics.query.clientsConnected = query.connected
        metrics.query.clientsTailing = tailHub.subscriberCount
        metrics.query.requests = query.requests
        metrics.query.errors = query.errors
        metrics.query.connectionsRefused = query.refused
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

    var description: String {
        switch self {
        case .listen(let error): "cannot serve metrics: \(error)"
        case .querySocket(let error): "cannot serve queries: \(error)"
        case .probe(let error): "\(error)"
        }
    }

    var exitCode: Int32 {
        switch self {
        case .listen(.invalidListenAddress): 64
        case .listen, .querySocket: 69
        case .probe(let error): error.exitCode
        }
    }
}
