import FileOpenServer
import FileOpenSystem
import Logging

/// The daemon's two endpoints, taken from the service manager when it passed them (socket
/// activation, `fileopend.socket`: `FileDescriptorName=metrics` and `query`) and bound from the
/// settings otherwise — each endpoint on its own, so a unit that passes only the metrics port
/// still gets a query socket. They are taken first, before the probe is loaded, so that a taken
/// port or a running daemon fails fast; the servers take them over once their answers exist.
struct DaemonListeners {
    let metrics: [ListeningSocket]
    let query: UnixListeningSocket
    /// Where each came from, for the log.
    let metricsInherited: Bool
    let queryInherited: Bool

    /// Takes the inherited descriptors (`sd_listen_fds_with_names`) and binds what is missing.
    /// Descriptors passed under other names are closed with a warning: a socket we do not serve
    /// must not accept connections nobody answers.
    static func open(settings: DaemonSettings, logger: Logger) throws(DaemonStartError) -> DaemonListeners {
        var inherited: InheritedSockets
        do {
            inherited = try InheritedSockets.take()
        } catch {
            throw .listen(error)
        }
        let metricsFDs = inherited.claim(InheritedSockets.metricsName)
        let queryFDs = inherited.claim(InheritedSockets.queryName)
        let unclaimed = inherited.closeUnclaimed()
        if !unclaimed.isEmpty {
            logger.warning("closing sockets the service manager passed under names fileopend does not serve: \(unclaimed)")
        }
        // Only the first query socket is served; more would be a unit's mistake. The first is
        // owned from here: any error below closes it, unless a socket object took it over.
        var queryFD = queryFDs.first.map { OwnedDescriptor($0) }
        for fd in queryFDs.dropFirst() { OwnedDescriptor(fd).close() }
        let metrics: [ListeningSocket]
        do {
            metrics = try metricsSockets(inherited: metricsFDs, settings: settings)
        } catch {
            throw .listen(error)
        }
        let query: UnixListeningSocket
        do throws(ServerError) {
            if let fd = queryFD.take() {
                query = try adopt(fd, UnixListeningSocket.init(adopting:))
            } else {
                query = try QueryServer.bindSocket(path: settings.socketPath, group: settings.socketGroup, logger: logger)
            }
        } catch {
            metrics.forEach { $0.close() }
            throw .querySocket(error)
        }
        return DaemonListeners(
            metrics: metrics, query: query, metricsInherited: !metricsFDs.isEmpty, queryInherited: !queryFDs.isEmpty
        )
    }

    /// Closes every listener (start-up failed before the servers took them over).
    func close() {
        metrics.forEach { $0.close() }
        query.close()
    }

    /// Adopts every inherited metrics descriptor, or binds `settings.listen` when there are none.
    /// On error everything adopted or bound so far is closed, and so are the descriptors not reached.
    private static func metricsSockets(
        inherited: [Int32], settings: DaemonSettings
    ) throws(ServerError) -> [ListeningSocket] {
        var sockets: [ListeningSocket] = []
        do throws(ServerError) {
            if inherited.isEmpty {
                for address in settings.listen { sockets.append(try ListeningSocket.bind(address)) }
            } else {
                for (index, fd) in inherited.enumerated() {
                    do {
                        sockets.append(try adopt(OwnedDescriptor(fd), ListeningSocket.init(adopting:)))
                    } catch {
                        for rest in inherited[(index + 1)...] { OwnedDescriptor(rest).close() }
                        throw error
                    }
                }
            }
        } catch {
            sockets.forEach { $0.close() }
            throw error
        }
        return sockets
    }

    /// Hands `fd` to a socket object (`adopt`, whose errors leave it open); closes it if that fails.
    private static func adopt<Socket>(
        _ fd: consuming OwnedDescriptor, _ adopt: (Int32) throws(ServerError) -> Socket
    ) throws(ServerError) -> Socket {
        let socket = try adopt(fd.rawValue)
        _ = fd.take()
        return socket
    }
}
