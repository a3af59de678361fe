import BPF
import FileOpenCore
import FileOpenProbe
import FileOpenServer
import Foundation
import Logging
import Synchronization

/// The running daemon: the probe, the consumer thread feeding the aggregator (and the printer,
/// with --print), and the HTTP listeners serving /metrics. Started in dependency order, stopped
/// in reverse, so the last drain sees every record the probe produced.
final class DaemonRuntime: Sendable {
    /// The daemon's version, as `fileopen_build_info` and `--version` show it.
    static let version = "0.2.0"
    /// How often the consumer thread folds in the kernel's missed counts and expires processes.
    static let maintenanceInterval: Duration = .seconds(1)

    let probe: FileOpenProbe
    let store: AggregatorStore
    let consumer: FileOpenConsumer
    /// Set once the server exists: its routes report its own statistics, so it is created last.
    private let server = Mutex<HTTPServer?>(nil)
    private let maintenance: Maintenance
    private let logger: Logger

    /// Binds the listeners (so a taken port fails before anything is loaded), attaches the probe
    /// and starts the consumer and the server.
    init(
        probeSettings: ProbeSettings, aggregatorSettings: AggregatorSettings, listen: [ListenAddress],
        printer: EventPrinter?, logger: Logger
    ) throws(DaemonStartError) {
        self.logger = logger
        let sockets: [ListeningSocket]
        do {
            sockets = try listen.map { address throws(ServerError) in try ListeningSocket.bind(address) }
        } catch {
            throw .listen(error)
        }
        do {
            probe = try FileOpenProbe.attach(settings: probeSettings, logger: logger)
        } catch {
            sockets.forEach { $0.close() }
            throw .probe(error)
        }
        let store = AggregatorStore(settings: aggregatorSettings)
        self.store = store
        let maintenance = Maintenance(probe: probe, store: store, logger: logger)
        self.maintenance = maintenance
        consumer = FileOpenConsumer(
            probe: probe, logger: logger,
            deliver: { batch in
                store.apply(batch)
                printer?.print(batch)
            },
            afterDrain: { maintenance.drained() }
        )
        consumer.start()
        // The runtime outlives its server (stop() stops it first), so the routes need no strong reference.
        let router = MetricsEndpoint.router(
            store: store, daemon: { [unowned self] in daemonMetrics() }, readiness: { [unowned self] in readiness() }
        )
        let server = HTTPServer(sockets: sockets, logger: logger, router: router)
        do {
            try server.start()
        } catch {
            stop()
            throw .listen(error)
        }
        self.server.withLock { $0 = server }
        for address in server.addresses {
            logger.notice("serving metrics on http://\(address)/metrics")
        }
    }

    /// Stops serving, detaches the probe, lets the consumer drain the rest, stops it.
    func stop() {
        server.withLock { $0 }?.stop()
        probe.detach()
        consumer.stop()
    }

    /// The daemon's own figures for a scrape.
    func daemonMetrics() -> DaemonMetrics {
        var metrics = DaemonMetrics()
        metrics.version = Self.version
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
    case probe(ProbeError)

    var description: String {
        switch self {
        case .listen(let error): "cannot serve metrics: \(error)"
        case .probe(let error): "\(error)"
        }
    }

    var exitCode: Int32 {
        switch self {
        case .listen(.invalidListenAddress): 64
        case .listen: 69
        case .probe(let error): error.exitCode
        }
    }
}
