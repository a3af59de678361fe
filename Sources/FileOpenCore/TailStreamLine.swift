/// One line of a `tail` stream, after its `{"streaming":true}` reply.
public enum TailStreamLine: Sendable, Equatable {
    /// An open or an exit, `{"event":"open",…}` or `{"event":"exit",…}`.
    case record(ProbeRecord)
    /// An event of a kind this side does not know (a newer daemon's), by its `event` name.
    case unknownEvent(kind: String)
    /// `{"dropped":N}`: N matching events were discarded because this reader fell behind.
    case dropped(UInt64)
    /// An error reply, which ends the stream (the daemon is shutting down, say).
    case error(QueryError)
}

extension TailStreamLine: Codable {
    enum CodingKeys: String, CodingKey {
        case event, dropped, ok
    }

    /// An object with `event` is an event, one with `dropped` a drop count, one with `ok` a reply
    /// (which must be an error); anything else is a decoding error.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if container.contains(.event) {
            let kind = try container.decode(String.self, forKey: .event)
            self = ProbeRecord.Kind(rawValue: kind) == nil ? .unknownEvent(kind: kind) : .record(try ProbeRecord(from: decoder))
        } else if container.contains(.dropped) {
            self = .dropped(try container.decode(UInt64.self, forKey: .dropped))
        } else if container.contains(.ok) {
            guard case .failure(let error) = try QueryReply.Envelope<StreamingReport>(from: decoder).outcome else {
                throw DecodingError.dataCorruptedError(
                    forKey: .ok, in: container, debugDescription: "a success reply in the middle of a tail stream")
            }
            self = .error(error)
        } else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: [], debugDescription: "a tail line that is neither an event nor a drop count"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .record(let record):
            try record.encode(to: encoder)
        case .unknownEvent(let kind):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(kind, forKey: .event)
        case .dropped(let count):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(count, forKey: .dropped)
        case .error(let error):
            try QueryReply.Envelope<Never>(.failure(error)).encode(to: encoder)
        }
    }
}
