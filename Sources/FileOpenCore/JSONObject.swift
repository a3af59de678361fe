/// A JSON object's members in the order they arrived.
public struct JSONObject: Sendable, Equatable {
    /// Every member; a duplicated key appears twice here and the first wins in lookups.
    public var members: [(key: String, value: JSONValue)]

    /// An object with `members`, in that order.
    public init(_ members: [(key: String, value: JSONValue)] = []) {
        self.members = members
    }

    /// The value of the first member named `key`.
    public subscript(key: String) -> JSONValue? {
        members.first { $0.key == key }?.value
    }

    /// The member names in order.
    public var keys: [String] { members.map(\.key) }

    /// Whether both have the same members in the same order.
    public static func == (left: JSONObject, right: JSONObject) -> Bool {
        left.members.elementsEqual(right.members) { $0.key == $1.key && $0.value == $1.value }
    }
}
