public import FileOpenCore

/// One line of a `tail` stream, after the `{"streaming":true}` reply.
public enum TailLine: Sendable {
    /// An event object (`"event":"open"` or `"exit"`), as `fileopend --print --json` writes it.
    case event(JSONValue)
    /// `{"dropped":N}`: N matching events were discarded because this reader fell behind.
    case dropped(UInt64)

    /// Parses one stream line (without its newline).
    public init(line: some Collection<UInt8>) throws(ClientError) {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: line)
        } catch {
            throw .invalidReply("a tail line that is not JSON (\(error))")
        }
        guard case .object(let object) = value else { throw .invalidReply("a tail line that is not a JSON object") }
        if object["event"] == nil, let dropped = object["dropped"] {
            guard let count = dropped.uint64Value else {
                throw .invalidReply("a \"dropped\" count that is not a count")
            }
            self = .dropped(count)
        } else if object["event"]?.stringValue != nil {
            self = .event(value)
        } else if case .object(let error) = object["error"], object["ok"]?.boolValue == false {
            // The daemon may end a stream with an error reply (e.g. while shutting down).
            throw .daemonError(
                code: error["code"]?.stringValue ?? "unknown", message: error["message"]?.stringValue ?? "(no message)"
            )
        } else {
            throw .invalidReply("a tail line that is neither an event nor a drop count")
        }
    }
}
