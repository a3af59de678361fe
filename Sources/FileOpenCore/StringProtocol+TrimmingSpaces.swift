extension StringProtocol {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace, /proc's padding):
    /// what Foundation's `trimmingCharacters(in: .whitespaces)` does for ASCII text, without linking
    /// corelibs Foundation (docs/binary-size.md).
    public var trimmingSpaces: String {
        let isSpace = { (character: Character) in character == " " || character == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
