/// The members of a request object on their way to a `QueryRequest`: each accessor takes one key
/// and checks its JSON type and range, with an `invalid_argument` error that names the key. Keys
/// are `QueryRequest.CodingKeys`, the ones its encoder writes: a key renamed there is renamed here.
struct QueryArguments {
    typealias Key = QueryRequest.CodingKeys

    private var values: [String: JSONValue]

    /// Refuses a key given twice: which of the two would count is exactly the ambiguity a strict
    /// protocol must not have (JSONSerialization silently keeps the last one).
    init(_ members: [(key: String, value: JSONValue)]) throws(QueryError) {
        values = [:]
        for (key, value) in members {
            guard values.updateValue(value, forKey: key) == nil else {
                throw QueryError(.invalidArgument, "The key \(Self.quoted(key)) appears more than once.")
            }
        }
    }

    /// Removes and returns the value of `key`.
    mutating func take(_ key: Key) -> JSONValue? {
        values.removeValue(forKey: key.rawValue)
    }

    /// Refuses any key other than `allowed` (and the `version` and `command` taken before),
    /// naming the first unknown one in byte order, so the message does not depend on hashing.
    func expectNoOthers(for command: QueryCommand, allowed allowedKeys: [Key]) throws(QueryError) {
        let allowed = Set(allowedKeys.map(\.rawValue))
        let unknown = values.keys.filter { !allowed.contains($0) }
        guard let first = unknown.min(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) else { return }
        let valid = allowed.isEmpty
            ? "it takes no arguments" : "it takes " + allowed.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
        throw QueryError(
            .invalidArgument, "Unknown key \(Self.quoted(first)) for the command \"\(command.rawValue)\"; \(valid).")
    }

    /// An integer in `range`, or nil if the key is absent.
    mutating func integer(_ key: Key, in range: ClosedRange<Int64>) throws(QueryError) -> Int64? {
        guard let value = take(key) else { return nil }
        guard let number = value.int64Value, range.contains(number) else {
            throw wrong(key, "an integer from \(range.lowerBound) to \(range.upperBound)", value)
        }
        return number
    }

    /// `true` or `false`, or nil if the key is absent.
    mutating func bool(_ key: Key) throws(QueryError) -> Bool? {
        guard let value = take(key) else { return nil }
        guard case .bool(let flag) = value else { throw wrong(key, "true or false", value) }
        return flag
    }

    /// A string of at least one character, or nil if the key is absent. An empty one would match
    /// nothing (`comm`) or everything (`path_prefix`): either way not what was meant.
    mutating func nonEmptyString(_ key: Key) throws(QueryError) -> String? {
        guard let value = take(key) else { return nil }
        guard case .string(let text) = value, !text.isEmpty else { throw wrong(key, "a non-empty string", value) }
        return text
    }

    /// One of `Choice`'s raw values, or nil if the key is absent.
    mutating func enumeration<Choice: RawRepresentable & CaseIterable>(
        _ key: Key, _: Choice.Type
    ) throws(QueryError) -> Choice? where Choice.RawValue == String {
        guard let value = take(key) else { return nil }
        let names = Choice.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        guard case .string(let text) = value, let choice = Choice(rawValue: text) else {
            let found =
                if case .string(let text) = value { "the string \(Self.quoted(text))" } else { Self.kind(value) }
            throw QueryError(.invalidArgument, "The key \(Self.quoted(key.rawValue)) must be one of \(names), not \(found).")
        }
        return choice
    }

    private func wrong(_ key: Key, _ expected: String, _ value: JSONValue) -> QueryError {
        let found = value == .string("") ? "an empty string" : Self.kind(value)
        let hint = value.isNull ? " (leave the key out instead)" : ""
        return QueryError(.invalidArgument, "The key \(Self.quoted(key.rawValue)) must be \(expected), not \(found)\(hint).")
    }

    /// What a message calls a value of this kind, e.g. "the boolean true".
    static func kind(_ value: JSONValue) -> String {
        switch value {
        case .string: "a string"
        case .number(let text):
            if let integer = value.int64Value {
                "the integer \(integer)"
            } else if text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
                "a number with a fraction or exponent"
            } else {
                "an integer out of range"
            }
        case .bool(let value): "the boolean \(value)"
        case .null: "null"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// `text` as a JSON string literal for a message, cut to 64 characters, so an attacker's
    /// 4 KB key does not come back whole in every error.
    static func quoted(_ text: String) -> String {
        let shown = text.count > 64 ? String(text.prefix(64)) + "…" : text
        return EventLineFormatter.jsonString(shown)
    }
}
