/// A request the daemon refuses or cannot answer: a code for programs and one sentence for people.
/// It travels as the reply line `{"version":1,"ok":false,"error":{"code":…,"message":…}}`.
public struct QueryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The error codes of protocol version 1, by their wire name.
    public enum Code: String, Sendable, CaseIterable {
        /// The line is not JSON, or not UTF-8.
        case invalidJSON = "invalid_json"
        /// The line is JSON but not an object.
        case notAnObject = "not_an_object"
        /// `version` is missing or not 1.
        case unsupportedVersion = "unsupported_version"
        /// `command` names no command.
        case unknownCommand = "unknown_command"
        /// A key is unknown, missing, repeated, of the wrong type or out of range; the message names it.
        case invalidArgument = "invalid_argument"
        /// The line is longer than 4096 bytes; the server skipped to the next newline.
        case lineTooLong = "line_too_long"
        /// The peer may not run this command (see `QueryAccess`).
        case permissionDenied = "permission_denied"
        /// `proc` of a pid that is not tracked.
        case notFound = "not_found"
        /// Too many clients are connected; the server closes this connection after the reply.
        case busy
        /// The daemon failed to answer.
        case `internal`
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
    public var replyLine: [UInt8] {
        let line = "{\"version\":1,\"ok\":false,\"error\":{\"code\":\"\(code.rawValue)\",\"message\":"
            + EventLineFormatter.jsonString(message) + "}}\n"
        return Array(line.utf8)
    }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}
