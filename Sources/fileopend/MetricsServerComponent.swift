import FileOpenCore
import FileOpenServer
import Logging

/// The HTTP server of /metrics, /healthz and /readyz on the metrics listeners, which it owns
/// from `init` (bound or inherited) and closes at `stop()`, started or not.
final class MetricsServerComponent: DaemonComponent {
    let name = "metrics server"
    private let server: HTTPServer
    /// Whether the service manager passed the listeners (socket activation), for the log.
    private let inherited: Bool
    private let logger: Logger

    /// Loads `web` (certificates and keys: checked already by the configuration, read again here).
    init(
        sockets: [ListeningSocket], inherited: Bool, router: HTTPRouter, web: WebSecurity, logger: Logger
    ) throws(DaemonStartError) {
        server = HTTPServer(sockets: sockets, logger: logger, router: router)
        self.inherited = inherited
        self.logger = logger
        do {
            try server.configure(web)
        } catch {
            server.stop()
            throw .listen(error)
        }
    }

    /// A reload's web configuration: nil once applied, else why it was refused (the running one stays).
    func apply(_ web: WebSecurity) -> String? {
        do {
            try server.configure(web)
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// The listeners' addresses (with the real ports when port 0 was asked).
    var addresses: [ListenAddress] { server.addresses }

    func start() throws(DaemonStartError) {
        do {
            try server.start()
        } catch {
            throw .listen(error)
        }
        let origin = inherited ? " (socket passed by the service manager)" : ""
        for address in server.addresses {
            logger.notice("serving metrics on \(server.servesTLS ? "https" : "http")://\(address)/metrics\(origin)")
        }
    }

    func stop() {
        server.stop()
    }

    func report(into figures: inout DaemonFigures) {
        figures.append(server.statistics)
    }
}
