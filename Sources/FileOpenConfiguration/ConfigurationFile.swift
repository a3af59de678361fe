import Configuration
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Yams
#if canImport(Glibc)
import Glibc
#endif

/// A configuration file, read and checked, then parsed by swift-configuration's `YAMLSnapshot`.
///
/// The file is read here rather than through `FileProvider` so that a missing or unreadable file
/// is reported with its errno (FileProvider only says "not found") and so that the start-up path
/// stays synchronous. Yams is used on top of the snapshot for what swift-configuration does not
/// offer: listing the keys present (a snapshot can only be asked for keys one knows, so unknown
/// keys would go unnoticed) and reading a parse error's line and column for a one-line message.
struct ConfigurationFile {
    /// The file's path, as given.
    let path: String
    /// The parsed values; nil for an empty file (or one with only comments).
    let snapshot: YAMLSnapshot?
    /// Each key's value as written (for messages), and what kind of node it is.
    private let nodes: [ConfigurationKey: Node]

    /// Reads and checks `path`. Returns nil if it does not exist and `mustExist` is false.
    static func read(path: String, mustExist: Bool) throws(ConfigurationError) -> ConfigurationFile? {
        let bytes: [UInt8]
        do {
            bytes = try Self.contents(of: path)
        } catch {
            if error.errno == ENOENT && !mustExist { return nil }
            throw .unreadableFile(path: path, reason: error.reason)
        }
        return try ConfigurationFile(path: path, bytes: bytes)
    }

    /// Checks and parses `bytes` as the contents of `path`.
    init(path: String, bytes: [UInt8]) throws(ConfigurationError) {
        self.path = path
        let root = try Self.compose(bytes, path: path)
        guard let root, !Self.isNull(root) else {
            (snapshot, nodes) = (nil, [:])
            return
        }
        guard case .mapping(let mapping) = root else {
            throw .notAMapping(path: path, found: Self.kind(of: root))
        }
        var nodes: [ConfigurationKey: Node] = [:]
        for (keyNode, value) in mapping {
            let name = keyNode.string ?? "\(keyNode)"
            guard let key = ConfigurationKey(rawValue: name) else {
                throw .unknownKey(
                    name, source: .file(path),
                    suggestion: KeySuggestion.closest(to: name, among: ConfigurationKey.allCases.map(\.rawValue))
                )
            }
            guard nodes[key] == nil else { throw .duplicateKey(name, path: path) }
            nodes[key] = value
        }
        self.nodes = nodes
        do {
            snapshot = try YAMLSnapshot(data: bytes.span.bytes, providerName: path, parsingOptions: .default)
        } catch {
            // Only nested mappings and sequences of non-scalars reach here; resolving the keys
            // below names them better, so this is a fallback.
            throw .malformedYAML(path: path, line: nil, column: nil, problem: "\(error)")
        }
    }

    /// `bytes` (UTF-8 YAML, the contents of `path`) as a node tree; nil when empty. Errors are one line.
    static func compose(_ bytes: [UInt8], path: String) throws(ConfigurationError) -> Node? {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .malformedYAML(path: path, line: nil, column: nil, problem: "not UTF-8 text")
        }
        do {
            return try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Self.describe(error, path: path)
        } catch {
            throw .malformedYAML(path: path, line: nil, column: nil, problem: "\(error)")
        }
    }

    /// The value of `key` as written, for a message: `300`, `[a, b]`, `{a: 1}`.
    func rawValue(of key: ConfigurationKey) -> String {
        nodes[key].map(Self.text(of:)) ?? ""
    }

    /// What the value of `key` is, when that explains a type mismatch: "a list", "a mapping",
    /// "empty", "quoted text", "a single value"; nil for a plain value (then it is simply not a number).
    func structure(of key: ConfigurationKey) -> String? {
        guard let node = nodes[key] else { return nil }
        switch node {
        case .scalar(let scalar):
            if Self.isNull(node) { return "empty" }
            if key.configType == .stringArray { return "a single value" }
            return scalar.style == .plain ? nil : "quoted text"
        default:
            return Self.kind(of: node)
        }
    }

    /// Whether a value is given for `key`.
    func contains(_ key: ConfigurationKey) -> Bool { nodes[key] != nil }

    // MARK: - Helpers

    static func isNull(_ node: Node) -> Bool {
        if case .scalar = node { return node.null != nil }
        return false
    }

    static func kind(of node: Node) -> String {
        switch node {
        case .scalar: isNull(node) ? "empty" : "a single value"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    private static func text(of node: Node) -> String {
        switch node {
        case .scalar(let scalar): scalar.string
        case .sequence(let sequence): "[" + sequence.map(text(of:)).joined(separator: ", ") + "]"
        case .mapping(let mapping): "{" + mapping.map { "\(text(of: $0.key)): \(text(of: $0.value))" }
            .joined(separator: ", ") + "}"
        case .alias: "*alias"
        }
    }

    /// A Yams error as one line: where, and the problem without the multi-line snippet.
    private static func describe(_ error: YamlError, path: String) -> ConfigurationError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let detail = context.map { "\(problem) (\($0.text) at line \($0.mark.line))" } ?? problem
            return .malformedYAML(path: path, line: mark.line, column: mark.column, problem: detail)
        case .duplicatedKeysInMapping(let duplicates, _):
            return .duplicateKey(duplicates.sorted().first ?? "", path: path)
        default:
            let line = "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
            return .malformedYAML(path: path, line: nil, column: nil, problem: line)
        }
    }

    /// A failed read: errno and its text.
    struct ReadError: Error {
        let errno: Int32
        var reason: String { String(cString: strerror(errno)) }
    }

    /// The whole file, through open(2)/read(2) so that the errno survives.
    static func contents(of path: String) throws(ReadError) -> [UInt8] {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ReadError(errno: errno) }
        defer { Glibc.close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ReadError(errno: errno)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<count])
            // A configuration file is small; refuse to buffer something that is clearly not one.
            if bytes.count > 1 << 20 { throw ReadError(errno: EFBIG) }
        }
    }
}
