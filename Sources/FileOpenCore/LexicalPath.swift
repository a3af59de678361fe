/// Joins a directory and a name the way a failed open meant them, without the kernel: the name
/// as passed relative to `directory` (an absolute name relative to the process's root), then
/// `.`, `..` and repeated slashes removed by text alone. `..` at the root stays at the root, as
/// the kernel's lookup does. Symlinks are not followed (nothing is looked up): that is why a
/// lexical path is flagged "not verified".
public enum LexicalPath {
    /// The absolute, normalised path of `name` relative to the absolute `directory`.
    public static func joined(directory: String, name: String) -> String {
        var components: [Substring] = []
        let start = name.utf8.first == UInt8(ascii: "/") ? [] : [directory[...]]
        for part in start + [name[...]] {
            for component in part.split(separator: "/", omittingEmptySubsequences: true) {
                switch component {
                case ".": continue
                case "..": _ = components.popLast()
                default: components.append(component)
                }
            }
        }
        return "/" + components.joined(separator: "/")
    }
}
