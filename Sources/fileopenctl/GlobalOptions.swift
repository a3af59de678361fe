import FileOpenCore
import FileOpenCtlKit

/// `--socket PATH` and `--json`, accepted by every subcommand (read and checked by `CtlArguments`).
struct GlobalOptions {
    /// How long a one-shot request waits for its reply before giving up.
    static let replyTimeout: Duration = .seconds(10)

    /// The daemon's query socket.
    let socket: String
    /// Print the daemon's reply as JSON lines instead of tables.
    let json: Bool

    /// Connects to the daemon.
    func connect() throws(ClientError) -> DaemonConnection {
        try DaemonConnection(socketPath: socket)
    }

    /// Connects, sends `request` and returns its result, decoded as `Result`.
    func query<Result: Decodable & Sendable>(_ request: QueryRequest, as _: Result.Type) throws(ClientError) -> Result {
        let connection = try connect()
        guard let result = try connection.send(request, expecting: Result.self, timeout: Self.replyTimeout) else {
            throw .connectionClosed  // Unreachable: without an interrupt signal nothing interrupts.
        }
        return result
    }
}
