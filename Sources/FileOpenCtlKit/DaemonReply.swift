public import FileOpenCore

/// Reads the daemon's reply lines: `{"version":1,"ok":true,"result":{…}}` or
/// `{"version":1,"ok":false,"error":{"code":…,"message":…}}`.
public enum DaemonReply {
    /// The `result` object of a success reply; an error reply throws `.daemonError`, anything
    /// that is not a version-1 reply throws `.invalidReply`.
    public static func result(fromLine line: some Collection<UInt8>) throws(ClientError) -> JSONValue {
        let reply: JSONValue
        do {
            reply = try JSONValue(parsing: line)
        } catch {
            throw .invalidReply("not JSON (\(error))")
        }
        guard case .object(let object) = reply else { throw .invalidReply("not a JSON object") }
        guard let version = object["version"] else { throw .invalidReply("no \"version\"") }
        guard version.int64Value == Int64(ClientRequest.protocolVersion) else {
            throw .invalidReply("protocol version \(version), this fileopenctl speaks \(ClientRequest.protocolVersion)")
        }
        switch object["ok"]?.boolValue {
        case true:
            guard let result = object["result"], case .object = result else {
                throw .invalidReply("a success reply without a \"result\" object")
            }
            return result
        case false:
            guard let code = object["error"]?["code"]?.stringValue else {
                throw .invalidReply("an error reply without an \"error\" code")
            }
            throw .daemonError(code: code, message: object["error"]?["message"]?.stringValue ?? "(no message)")
        case nil:
            throw .invalidReply("no boolean \"ok\"")
        }
    }
}
