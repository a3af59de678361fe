/// One request on the query socket (protocol version 1). The daemon decodes it strictly
/// (`decode(line:)`): every key must be known for its command and of its exact JSON type, so a
/// typo never silently means a default. A client encodes it (`line`, through `QueryJSON`).
public enum QueryRequest: Sendable, Equatable, Encodable {
    /// The daemon's health and counters.
    case status
    /// The top processes (or comms, or units: `group`); `limit` is 1…1000; `comm`, when set, is
    /// compared exactly (processes only); comms and units rank by `opens` or `errors`.
    case top(by: TopOrder, limit: Int, comm: String?, group: TopGroup = .process)
    /// One process in detail; `pid` is 1…2^31-1.
    case proc(pid: Int32)
    /// Stream the events that pass the filter.
    case tail(TailFilter)
    /// Zero the per-process query detail (root only).
    case reset

    /// The protocol version this daemon speaks.
    public static let version = 1
    /// `top`'s `limit` when the request has none.
    public static let defaultTopLimit = 20
    /// The range of `top`'s `limit`.
    public static let topLimits = 1...1000
    /// The longest request line the daemon reads, newline included; a longer one is refused
    /// (`line_too_long`) and skipped.
    public static let maximumLineBytes = 4096

    /// The command this request runs.
    public var command: QueryCommand {
        switch self {
        case .status: .status
        case .top: .top
        case .proc: .proc
        case .tail: .tail
        case .reset: .reset
        }
    }

    /// Whether only root may run it (`reset`); every other command needs read access.
    public var requiresAdmin: Bool { self == .reset }

    /// Decodes one request line (without its newline; trailing whitespace, `\r` included, is
    /// allowed). Checks, in this order: UTF-8 and JSON syntax (`invalid_json`), an object
    /// (`not_an_object`), no repeated key (`invalid_argument`), `version` 1 (`unsupported_version`),
    /// `command` a string (`invalid_argument`) naming a command (`unknown_command`), then no unknown
    /// key, and each argument's type and range (`invalid_argument`, naming the key).
    /// Integers must be written as integers: `1.0` and `1e0` are refused like `true` and `"1"`.
    /// Never traps and never recurses on the input, whatever the bytes.
    public static func decode(line: [UInt8]) throws(QueryError) -> QueryRequest {
        guard String(validating: line, as: UTF8.self) != nil else {
            throw QueryError(.invalidJSON, "The request is not valid UTF-8.")
        }
        let document: JSONValue
        do {
            // Any depth is valid JSON; only the top object's members are kept, nested values by kind.
            document = try JSONParser.parse(line, maximumDepth: .max, retainedDepth: 1)
        } catch {
            let position = error.offset < line.count ? "at byte \(error.offset)" : "at the end of the line"
            throw QueryError(.invalidJSON, "The request is not valid JSON: \(error.reason) \(position).")
        }
        guard case .object(let object) = document else {
            throw QueryError(.notAnObject, "The request must be a JSON object, not \(QueryArguments.kind(document)).")
        }
        var arguments = try QueryArguments(object.members)
        guard let version = arguments.take(.version) else {
            throw QueryError(.unsupportedVersion, "The request has no \"version\"; this daemon speaks version 1.")
        }
        guard version.int64Value == Int64(Self.version) else {
            throw QueryError(
                .unsupportedVersion,
                "The request's \"version\" is \(QueryArguments.kind(version)); this daemon speaks version 1.")
        }
        guard let commandValue = arguments.take(.command) else {
            throw QueryError(.invalidArgument, "The request has no \"command\".")
        }
        guard case .string(let name) = commandValue else {
            throw QueryError(
                .invalidArgument, "The key \"command\" must be a string, not \(QueryArguments.kind(commandValue)).")
        }
        guard let command = QueryCommand(rawValue: name) else {
            let known = QueryCommand.allCases.map(\.rawValue).joined(separator: ", ")
            throw QueryError(
                .unknownCommand, "Unknown command \(QueryArguments.quoted(name)); the commands are \(known).")
        }
        let request = try decodeArguments(of: command, from: &arguments)
        return request
    }

    private static func decodeArguments(
        of command: QueryCommand, from arguments: inout QueryArguments
    ) throws(QueryError) -> QueryRequest {
        switch command {
        case .status:
            try arguments.expectNoOthers(for: command, allowed: [])
            return .status
        case .reset:
            try arguments.expectNoOthers(for: command, allowed: [])
            return .reset
        case .top:
            try arguments.expectNoOthers(for: command, allowed: [.by, .limit, .comm, .group])
            let by = try arguments.enumeration(.by, TopOrder.self) ?? .opens
            let limit = try arguments.integer(.limit, in: Int64(topLimits.lowerBound)...Int64(topLimits.upperBound))
            let comm = try arguments.nonEmptyString(.comm)
            let group = try arguments.enumeration(.group, TopGroup.self) ?? .process
            if group != .process {
                guard by == .opens || by == .errors else {
                    throw QueryError(
                        .invalidArgument,
                        "The key \"by\" must be \"opens\" or \"errors\" with the group \"\(group.rawValue)\": rates are kept per process.")
                }
                guard comm == nil else {
                    throw QueryError(.invalidArgument, "The key \"comm\" selects processes: it goes with the group \"process\" only.")
                }
            }
            return .top(by: by, limit: limit.map { Int($0) } ?? defaultTopLimit, comm: comm, group: group)
        case .proc:
            try arguments.expectNoOthers(for: command, allowed: [.pid])
            guard let pid = try arguments.integer(.pid, in: 1...Int64(Int32.max)) else {
                throw QueryError(.invalidArgument, "The command \"proc\" needs the key \"pid\".")
            }
            return .proc(pid: Int32(pid))
        case .tail:
            try arguments.expectNoOthers(for: command, allowed: [.pid, .comm, .pathPrefix, .failed, .unit])
            return .tail(
                TailFilter(
                    pid: try arguments.integer(.pid, in: 1...Int64(Int32.max)).map { Int32($0) },
                    comm: try arguments.nonEmptyString(.comm),
                    pathPrefix: try arguments.nonEmptyString(.pathPrefix),
                    failedOnly: try arguments.bool(.failed) ?? false,
                    unit: try arguments.nonEmptyString(.unit)
                ))
        }
    }

    enum CodingKeys: String, CodingKey {
        case version, command, by, limit, comm, group, pid, pathPrefix = "path_prefix", failed, unit
    }

    /// `version`, `command`, and only the arguments that differ from their defaults.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.version, forKey: .version)
        try container.encode(command.rawValue, forKey: .command)
        switch self {
        case .status, .reset:
            break
        case .top(let by, let limit, let comm, let group):
            if by != .opens { try container.encode(by, forKey: .by) }
            if limit != Self.defaultTopLimit { try container.encode(limit, forKey: .limit) }
            try container.encodeIfPresent(comm, forKey: .comm)
            if group != .process { try container.encode(group, forKey: .group) }
        case .proc(let pid):
            try container.encode(pid, forKey: .pid)
        case .tail(let filter):
            try container.encodeIfPresent(filter.pid, forKey: .pid)
            try container.encodeIfPresent(filter.comm, forKey: .comm)
            try container.encodeIfPresent(filter.pathPrefix, forKey: .pathPrefix)
            if filter.failedOnly { try container.encode(true, forKey: .failed) }
            try container.encodeIfPresent(filter.unit, forKey: .unit)
        }
    }

    /// The request as one JSON line, newline included: what a client sends. `decode` of it
    /// (without the newline) gives `self` back.
    public var line: String {
        String(decoding: QueryReply.line(self), as: UTF8.self)
    }

    /// Whether `line` fits `maximumLineBytes`; a longer one would only earn `line_too_long`.
    public var fitsLineLimit: Bool { line.utf8.count <= Self.maximumLineBytes }
}
