public import FileOpenCore

/// Reads the daemon's lines with the protocol's own types (`QueryReply.Envelope`,
/// `TailStreamLine`): an error reply throws `.daemonError`, anything that is not the protocol
/// (not JSON, another version, a field missing or of the wrong type) throws `.invalidReply`
/// saying what was wrong and where.
public enum DaemonReply {
    /// The result of a reply line to a command whose result is a `Result`.
    public static func result<Result: Decodable & Sendable>(
        _ type: Result.Type, fromLine line: some Collection<UInt8>
    ) throws(ClientError) -> Result {
        let envelope = try decode(QueryReply.Envelope<Result>.self, line, what: "reply")
        switch envelope.outcome {
        case .success(let result): return result
        case .failure(let error): throw .daemonError(error)
        }
    }

    /// One line of a `tail` stream; the error reply that may end one throws `.daemonError`.
    public static func tailLine(_ line: some Collection<UInt8>) throws(ClientError) -> TailStreamLine {
        let streamLine = try decode(TailStreamLine.self, line, what: "tail line")
        if case .error(let error) = streamLine { throw .daemonError(error) }
        return streamLine
    }

    private static func decode<Value: Decodable>(
        _ type: Value.Type, _ line: some Collection<UInt8>, what: String
    ) throws(ClientError) -> Value {
        do {
            return try QueryJSON.decode(type, from: line)
        } catch let mismatch as QueryReply.VersionMismatch {
            throw .invalidReply("protocol version \(mismatch.version), this fileopenctl speaks \(QueryRequest.version)")
        } catch let error as DecodingError {
            throw .invalidReply("a \(what) " + describe(error))
        } catch {
            throw .invalidReply("a \(what) that cannot be read (\(error))")
        }
    }

    /// What a decoding error means, with the member it is about: `without "ok"`,
    /// `whose "result.clients.tailing" is not a number`.
    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return "without " + member(context.codingPath + [key])
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return "whose " + member(context.codingPath) + " is not " + kind(type)
        case .dataCorrupted(let context) where context.codingPath.isEmpty && context.debugDescription.contains("not valid JSON"):
            return "that is not JSON"  // QueryJSON's words (JSONDecoder's before it) for a text that does not parse.
        case .dataCorrupted(let context):
            let position = context.codingPath.isEmpty ? "" : " at " + member(context.codingPath)
            return "that is invalid\(position): \(context.debugDescription)"
        @unknown default:
            return "that cannot be read (\(error))"
        }
    }

    /// `"result.processes[3].comm"`.
    private static func member(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return "\"" + text + "\""
    }

    private static func kind(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is any BinaryInteger.Type: "an integer"
        case is any BinaryFloatingPoint.Type: "a number"
        case is [Any].Type: "an array"
        default: "an object"
        }
    }
}
