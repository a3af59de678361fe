/// The reply lines of the query protocol (version 1), as the daemon writes them. Each is an
/// `Envelope`, encoded by `QueryJSON`; the events of a `tail` stream are written by
/// `EventLineFormatter` and its drop counts are `TailStreamLine.dropped`.
public enum QueryReply {
    /// One reply line: `{"ok":true,"result":{…},"version":1}` or
    /// `{"error":{"code":…,"message":…},"ok":false,"version":1}`. The daemon encodes it with a
    /// `QueryResult`; a client decodes it with the result type of the command it sent, so a field
    /// renamed on one side is a compile error or a decoding error naming it, never a blank column.
    public struct Envelope<Result: Sendable>: Sendable {
        /// The result, or why there is none.
        public var outcome: Swift.Result<Result, QueryError>

        /// A reply with `outcome`.
        public init(_ outcome: Swift.Result<Result, QueryError>) {
            self.outcome = outcome
        }

        enum CodingKeys: String, CodingKey {
            case version, ok, result, error
        }
    }

    /// A reply whose `version` is not the one this side speaks: the rest of it may mean
    /// something else, so it is not read.
    public struct VersionMismatch: Error, Sendable, Equatable {
        /// The version the reply gave.
        public let version: Int

        /// A mismatch with a reply of `version`.
        public init(version: Int) {
            self.version = version
        }
    }

    /// The success line for `result`, newline included; an `internal` error line if it cannot be
    /// encoded (a non-finite number).
    public static func success(_ result: QueryResult) -> [UInt8] {
        do {
            return try QueryJSON.line(Envelope<QueryResult>(.success(result)))
        } catch {
            return QueryError(.internal, "encoding the result failed: \(error)").replyLine
        }
    }

    /// The reply to `tail`, after which the connection carries the stream.
    public static let streaming: [UInt8] = success(.streaming(StreamingReport()))

    /// `{"dropped":N}` and a newline: `count` matching events were discarded for a slow reader
    /// since the previous such line.
    public static func dropped(_ count: UInt64) -> [UInt8] {
        line(TailStreamLine.dropped(count))
    }

    /// One streamed event: `EventLineFormatter`'s JSON line and a newline.
    public static func event(_ record: ProbeRecord) -> [UInt8] {
        var bytes: [UInt8] = []
        EventLineFormatter.appendJSONLine(record, to: &bytes)
        return bytes
    }

    /// `value` as a line, for values made only of strings, integers and booleans, which always
    /// encode; the fallback (an `internal` error line) is there so that no reply path can trap.
    static func line(_ value: some Encodable) -> [UInt8] {
        (try? QueryJSON.line(value)) ?? unencodable
    }

    private static let unencodable =
        Array(#"{"error":{"code":"internal","message":"unencodable reply"},"ok":false,"version":1}"#.utf8) + [0x0A]
}

extension QueryReply.Envelope: Encodable where Result: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(QueryRequest.version, forKey: .version)
        switch outcome {
        case .success(let result):
            try container.encode(true, forKey: .ok)
            try container.encode(result, forKey: .result)
        case .failure(let error):
            try container.encode(false, forKey: .ok)
            try container.encode(error, forKey: .error)
        }
    }
}

extension QueryReply.Envelope: Decodable where Result: Decodable {
    /// Reads `version` first (`VersionMismatch` unless it is 1), then `ok`, then `result` or `error`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let version = try container.decode(Int.self, forKey: .version)
        guard version == QueryRequest.version else { throw QueryReply.VersionMismatch(version: version) }
        if try container.decode(Bool.self, forKey: .ok) {
            outcome = .success(try container.decode(Result.self, forKey: .result))
        } else {
            outcome = .failure(try container.decode(QueryError.self, forKey: .error))
        }
    }
}
