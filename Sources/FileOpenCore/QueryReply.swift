/// The success lines of the query protocol; errors are `QueryError.replyLine`.
public enum QueryReply {
    /// Wraps an already-encoded result object into `{"version":1,"ok":true,"result":…}` and a
    /// newline. A line break inside `resultJSON` (pretty-printed JSON) becomes a space, which keeps
    /// valid JSON valid and the reply on one line: a raw line break cannot be inside a JSON string.
    public static func success(_ resultJSON: String) -> [UInt8] {
        var line = Array("{\"version\":1,\"ok\":true,\"result\":".utf8)
        line.reserveCapacity(line.count + resultJSON.utf8.count + 2)
        for byte in resultJSON.utf8 {
            line.append(byte == 0x0A || byte == 0x0D ? 0x20 : byte)
        }
        line.append(contentsOf: "}\n".utf8)
        return line
    }

    /// The reply to `tail`, after which the connection carries the stream.
    public static let streaming: [UInt8] = success("{\"streaming\":true}")

    /// `{"dropped":N}` and a newline: `count` matching events were discarded for a slow reader
    /// since the previous such line.
    public static func dropped(_ count: UInt64) -> [UInt8] {
        Array("{\"dropped\":\(count)}\n".utf8)
    }

    /// One streamed event: `EventLineFormatter.jsonLine(record)` and a newline.
    public static func event(_ record: ProbeRecord) -> [UInt8] {
        Array((EventLineFormatter.jsonLine(record) + "\n").utf8)
    }
}
