/// A request the daemon refuses or cannot answer: a code for programs and one sentence for people.
/// It travels as the reply line `{"error":{"code":…,"message":…},"ok":false,"version":1}`
/// (`QueryReply.Envelope`).
public struct QueryError: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// `tail` while the daemon runs at the counts level, where no open has a record to stream.
    public static let tailNeedsEvents = QueryError(
        .unavailable,
        "tail needs detail_level events, and the daemon runs at detail_level counts (no record per open); set detail_level: events and reload")

    /// An error code by its wire name. The codes of protocol version 1 are the static members; a
    /// client may meet others from a newer daemon, so this is an open set, not an enum.
    public struct Code: RawRepresentable, Hashable, Sendable, Codable, CaseIterable, CustomStringConvertible {
        public let rawValue: String

        /// A code by its wire name.
        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// The line is not JSON, or not UTF-8.
        public static let invalidJSON = Code(rawValue: "invalid_json")
        /// The line is JSON but not an object.
        public static let notAnObject = Code(rawValue: "not_an_object")
        /// `version` is missing or not 1.
        public static let unsupportedVersion = Code(rawValue: "unsupported_version")
        /// `command` names no command.
        public static let unknownCommand = Code(rawValue: "unknown_command")
        /// A key is unknown, missing, repeated, of the wrong type or out of range; the message names it.
        public static let invalidArgument = Code(rawValue: "invalid_argument")
        /// The line is longer than 4096 bytes; the server skipped to the next newline.
        public static let lineTooLong = Code(rawValue: "line_too_long")
        /// The peer may not run this command (see `QueryAccess`).
        public static let permissionDenied = Code(rawValue: "permission_denied")
        /// `proc` of a pid that is not tracked.
        public static let notFound = Code(rawValue: "not_found")
        /// What the command needs is off in the daemon's configuration (`tail` at `detail_level:
        /// counts`); the message names the setting.
        public static let unavailable = Code(rawValue: "unavailable")
        /// Too many clients are connected; the server closes this connection after the reply.
        public static let busy = Code(rawValue: "busy")
        /// The daemon failed to answer.
        public static let `internal` = Code(rawValue: "internal")

        /// The codes of protocol version 1.
        public static let allCases: [Code] = [
            .invalidJSON, .notAnObject, .unsupportedVersion, .unknownCommand, .invalidArgument, .lineTooLong,
            .permissionDenied, .notFound, .unavailable, .busy, .internal,
        ]

        public init(from decoder: any Decoder) throws {
            rawValue = try decoder.singleValueContainer().decode(String.self)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(rawValue)
        }

        public var description: String { rawValue }
    }

    /// What went wrong, for programs.
    public let code: Code
    /// One human sentence saying what went wrong, naming the key where one is at fault.
    public let message: String

    /// An error with its code and message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The whole error reply line, newline included.
    public var replyLine: [UInt8] { QueryReply.line(QueryReply.Envelope<Never>(.failure(self))) }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}
