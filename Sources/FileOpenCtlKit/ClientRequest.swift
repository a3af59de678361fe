import FileOpenCore

/// One request of the query protocol (version 1), encoded as the daemon expects it: an object
/// with `version` and `command` first, then only the arguments that were given, keys as in the
/// contract. The daemon rejects unknown keys, so nothing else is ever sent.
public enum ClientRequest: Sendable, Equatable {
    /// The daemon's health.
    case status
    /// The first `limit` processes by `by`, only those named `comm` if given.
    case top(by: TopRanking, limit: Int, comm: String?)
    /// One process in detail.
    case proc(pid: Int32)
    /// A stream of the opens (and exits) that match every filter given.
    case tail(pid: Int32?, comm: String?, pathPrefix: String?, failedOnly: Bool)
    /// Zero the per-process detail (admin only).
    case reset

    /// The protocol version this client speaks.
    public static let protocolVersion = 1
    /// The longest request line the daemon accepts, newline included.
    public static let maximumLineBytes = 4096
    /// The range the daemon accepts for `top`'s `limit`.
    public static let topLimitRange = 1...1000

    /// The command's name on the wire.
    public var command: String {
        switch self {
        case .status: "status"
        case .top: "top"
        case .proc: "proc"
        case .tail: "tail"
        case .reset: "reset"
        }
    }

    /// The request object without the newline, e.g. `{"version":1,"command":"proc","pid":42}`.
    public var json: String {
        var members = ["\"version\":\(Self.protocolVersion)", "\"command\":\"\(command)\""]
        switch self {
        case .status, .reset:
            break
        case .top(let by, let limit, let comm):
            members.append("\"by\":\"\(by.rawValue)\"")
            members.append("\"limit\":\(limit)")
            if let comm { members.append("\"comm\":" + EventLineFormatter.jsonString(comm)) }
        case .proc(let pid):
            members.append("\"pid\":\(pid)")
        case .tail(let pid, let comm, let pathPrefix, let failedOnly):
            if let pid { members.append("\"pid\":\(pid)") }
            if let comm { members.append("\"comm\":" + EventLineFormatter.jsonString(comm)) }
            if let pathPrefix { members.append("\"path_prefix\":" + EventLineFormatter.jsonString(pathPrefix)) }
            if failedOnly { members.append("\"failed\":true") }
        }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// The bytes to send: the object and a newline.
    public var line: [UInt8] { Array((json + "\n").utf8) }

    /// Whether the line fits the daemon's limit; a longer one would only earn `line_too_long`.
    public var fitsLineLimit: Bool { line.count <= Self.maximumLineBytes }
}
