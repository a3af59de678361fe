import FileOpenCore
import FileOpenServer
import Logging

/// The query socket's server, which owns the socket from `init` (bound or inherited) and closes
/// it at `stop()`, started or not; and the tail hub whose streams it serves.
final class QueryServerComponent: DaemonComponent {
    let name = "query server"
    private let server: QueryServer
    private let tailHub: TailHub
    /// Whether the service manager passed the socket (socket activation), for the log.
    private let inherited: Bool
    private let logger: Logger

    init(listener: UnixListeningSocket, inherited: Bool, responder: DaemonQueryResponder, logger: Logger) {
        server = QueryServer(listener: listener, logger: logger, responder: responder)
        tailHub = responder.tailHub
        self.inherited = inherited
        self.logger = logger
    }

    /// Where clients connect, for the log and the service manager's status line.
    var socketDescription: String { server.socketPath ?? "an inherited socket" }

    func start() throws(DaemonStartError) {
        do {
            try server.start()
        } catch {
            throw .querySocket(error)
        }
        let origin = inherited ? " (socket passed by the service manager)" : ""
        logger.notice("answering queries on \(socketDescription)\(origin)")
    }

    func stop() {
        server.stop()
    }

    func report(into figures: inout DaemonFigures) {
        figures.append(server.statistics)
        figures.append(tailHub.statistics)
    }
}
