import ArgumentParser
import FileOpenCore
import FileOpenCtlKit

/// `--socket PATH` and `--json`, accepted by every subcommand.
struct GlobalOptions: ParsableArguments {
    /// How long a one-shot request waits for its reply before giving up.
    static let replyTimeout: Duration = .seconds(10)

    @Option(
        help: ArgumentHelp("The daemon's query socket.", valueName: "path"),
        completion: .file()
    )
    var socket = DaemonConnection.defaultSocketPath

    @Flag(help: "Print the daemon's reply as JSON lines instead of tables.")
    var json = false

    func validate() throws {
        if socket.isEmpty { throw ValidationError("--socket needs a path") }
        if socket.utf8.count > DaemonConnection.maximumPathBytes {
            throw ValidationError(
                "--socket path is \(socket.utf8.count) bytes; a Unix socket path has at most "
                    + "\(DaemonConnection.maximumPathBytes)"
            )
        }
    }

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
