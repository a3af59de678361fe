/// The `filters` setting: which opens the kernel program reports at all. An open filtered out
/// is dropped in the kernel before it reaches the ring buffer or a count, so it is in no
/// family; only `fileopen_filtered_opens_total` counts it, by kind.
///
/// One rule per list item (docs/configuration.md, "Filters"):
///
///     include uid=1000        only these uids (several include rules of one kind: any of them)
///     exclude comm=sshd       not this comm (15 bytes at most, as the kernel keeps it)
///     include unit=nginx.service   only this unit's cgroup and every cgroup below it
///     failed-only             only opens that failed
///
/// Kinds combine with "and", values of one kind with "or"; an exclusion wins over an inclusion
/// (`include unit=system.slice` with `exclude unit=cron.service` keeps every system service but cron).
public struct OpenFilters: Sendable, Equatable {
    /// Include or exclude.
    public enum Action: String, Sendable, CaseIterable {
        case include, exclude
    }

    /// What a rule matches on.
    public enum Kind: String, Sendable, CaseIterable {
        /// The caller's real uid, in the initial user namespace.
        case uid
        /// The calling thread's command name.
        case comm
        /// A v2 cgroup directory's name (a systemd unit, a slice, a container's scope, or any
        /// cgroup), with every cgroup below it.
        case unit
    }

    /// One `include`/`exclude` rule.
    public struct Rule: Sendable, Hashable, CustomStringConvertible {
        public var action: Action
        public var kind: Kind
        /// The value as the kernel compares it: a uid in decimal, a comm, a unit name.
        public var value: String

        public init(_ action: Action, _ kind: Kind, _ value: String) {
            (self.action, self.kind, self.value) = (action, kind, value)
        }

        /// `exclude uid=0`: the rule as written in the canonical form.
        public var description: String { "\(action) \(kind)=\(value)" }
    }

    /// Why the kernel filtered an open out; mirrors `enum fileopend_filter_reason` in bpf/fileopend.h.
    public enum Reason: Int, Sendable, CaseIterable, CustomStringConvertible {
        case uid = 0, comm = 1, unit = 2
        /// failed-only, and the open succeeded.
        case succeeded = 3

        /// The `kind` label of `fileopen_filtered_opens_total`.
        public var description: String {
            switch self {
            case .uid: "uid"
            case .comm: "comm"
            case .unit: "unit"
            case .succeeded: "failed_only"
            }
        }
    }

    /// A rule that could not be read: the item as given and what is wrong with it.
    public struct ParseError: Error, Sendable, Equatable {
        public var rule: String
        public var problem: String

        public init(rule: String, problem: String) {
            (self.rule, self.problem) = (rule, problem)
        }
    }

    /// The include/exclude rules, in the order given, without repeats.
    public private(set) var rules: [Rule] = []
    /// Whether only failed opens pass.
    public private(set) var failedOnly = false

    /// The most rules one setting may hold: the kernel maps hold two generations of this many.
    public static let maximumRules = 1024
    /// The longest item read: a unit name is at most 255 bytes, and a rule is a few words more.
    public static let maximumRuleBytes = 300
    /// A comm is at most 15 bytes: the kernel keeps no more of a command's name.
    public static let maximumCommBytes = 15
    /// A cgroup directory's name is at most 255 bytes (NAME_MAX).
    public static let maximumUnitBytes = 255
    /// `failed-only`, as written.
    public static let failedOnlyWord = "failed-only"
    /// What one item may be, for the end of an error message.
    public static let allowed =
        "a list of 'include KIND=VALUE', 'exclude KIND=VALUE' (KIND: uid, comm, unit) or 'failed-only'"

    /// No filters: every open is reported.
    public init() {}

    /// Reads the setting's items; the first that cannot be read throws.
    public init(parsing items: [String]) throws(ParseError) {
        guard items.count <= Self.maximumRules + 1 else {
            throw ParseError(rule: "\(items.count) rules", problem: "more than \(Self.maximumRules) rules")
        }
        var seen: Set<Rule> = []
        for item in items {
            guard item.utf8.count <= Self.maximumRuleBytes else {
                throw ParseError(rule: item, problem: "longer than \(Self.maximumRuleBytes) bytes")
            }
            let text = item.trimmingSpaces
            if text == Self.failedOnlyWord {
                failedOnly = true
                continue
            }
            let rule = try Self.rule(text, item: item)
            let opposite = Rule(rule.action == .include ? .exclude : .include, rule.kind, rule.value)
            guard !seen.contains(opposite) else {
                throw ParseError(rule: item, problem: "\(rule.kind) \(rule.value) is both included and excluded")
            }
            if seen.insert(rule).inserted { rules.append(rule) }
        }
        guard rules.count <= Self.maximumRules else {
            throw ParseError(rule: "\(rules.count) rules", problem: "more than \(Self.maximumRules) rules")
        }
    }

    /// One `include`/`exclude` item, trimmed (`item` is the original, for the message).
    private static func rule(_ text: String, item: String) throws(ParseError) -> Rule {
        func problem(_ text: String) -> ParseError { ParseError(rule: item, problem: text) }
        guard let space = text.firstIndex(where: { $0 == " " || $0 == "\t" }) else {
            throw problem(
                text.isEmpty ? "an empty rule" : "not 'include KIND=VALUE', 'exclude KIND=VALUE' or 'failed-only'")
        }
        guard let action = Action(rawValue: String(text[..<space])) else {
            throw problem("'\(text[..<space])' is neither include nor exclude")
        }
        let rest = text[space...].drop { $0 == " " || $0 == "\t" }
        guard let equals = rest.firstIndex(of: "=") else { throw problem("no '=' between the kind and the value") }
        let kindText = rest[..<equals]
        guard let kind = Kind(rawValue: String(kindText)) else {
            throw problem("no such kind '\(kindText)' (uid, comm or unit)")
        }
        let value = String(rest[rest.index(after: equals)...])
        guard !value.isEmpty else { throw problem("an empty \(kind)") }
        guard !value.utf8.contains(0) else { throw problem("a NUL byte in the \(kind)") }
        // Legal in a comm, but in a setting far likelier a mistake (a pasted line break).
        guard !value.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
            throw problem("a control character in the \(kind)")
        }
        switch kind {
        case .uid:
            let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
            guard value.utf8.count <= 10, value.utf8.allSatisfy(digits.contains),
                  let uid = UInt64(value), uid < UInt64(UInt32.max)
            else { throw problem("not a uid (a number from 0 to \(UInt32.max - 1); names are not resolved)") }
            return Rule(action, kind, String(uid))
        case .comm:
            guard value.utf8.count <= maximumCommBytes else {
                // The hint only where the kept bytes are whole characters, as they could be written.
                let kept = String(validating: value.utf8.prefix(maximumCommBytes), as: UTF8.self)
                    .map { " ('\($0)')" } ?? ""
                throw problem(
                    "longer than \(maximumCommBytes) bytes, and the kernel keeps only a command name's first "
                        + "\(maximumCommBytes)\(kept)")
            }
            return Rule(action, kind, value)
        case .unit:
            guard value.utf8.count <= maximumUnitBytes else { throw problem("longer than \(maximumUnitBytes) bytes") }
            guard !value.contains("/"), value != ".", value != ".." else {
                throw problem("not a cgroup directory name (a unit such as nginx.service; no '/')")
            }
            return Rule(action, kind, value)
        }
    }

    /// Whether nothing is filtered.
    public var isEmpty: Bool { rules.isEmpty && !failedOnly }

    /// The setting's items in canonical form: the rules, then `failed-only`.
    public var items: [String] {
        rules.map(\.description) + (failedOnly ? [Self.failedOnlyWord] : [])
    }

    /// The values of `kind`'s rules with `action`.
    public func values(_ action: Action, _ kind: Kind) -> [String] {
        rules.filter { $0.action == action && $0.kind == kind }.map(\.value)
    }

    /// Whether a rule of `kind` with `action` exists.
    public func has(_ action: Action, _ kind: Kind) -> Bool {
        rules.contains { $0.action == action && $0.kind == kind }
    }
}
