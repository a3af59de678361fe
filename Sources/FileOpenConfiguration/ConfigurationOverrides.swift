import Configuration

/// The settings given as command-line flags: each one overrides the file and the environment.
/// A flag's value is kept as the text given and checked like a value from the file or the
/// environment, so `--retention soon` gets the same one-line refusal as `retention: soon`.
public struct ConfigurationOverrides: Sendable, Equatable {
    /// `--listen` (repeatable); empty when not given.
    public var listen: [String] = []
    /// `--filter` (repeatable), one rule each; empty when not given.
    public var filters: [String] = []
    /// Every other key's flag as given (`--retention 60` is `[.retention: "60"]`); absent when
    /// not given.
    public var flags: [ConfigurationKey: String] = [:]

    /// No overrides.
    public init() {}

    /// The text a flag gave `key`, for an error message; nil when it was not given.
    func text(of key: ConfigurationKey) -> String? {
        switch key {
        case .listen: listen.isEmpty ? nil : listen.joined(separator: ",")
        case .filters: filters.isEmpty ? nil : filters.joined(separator: ",")
        default: flags[key]
        }
    }

    /// The given flags as swift-configuration values, keyed like the file. A whole-number key's
    /// text that is no whole number stays text, which the lookup then refuses as the wrong type.
    var values: [ConfigurationKey: ConfigContent] {
        var values: [ConfigurationKey: ConfigContent] = [:]
        for (key, text) in flags where key.configType != .stringArray {
            values[key] = key.configType == .int ? Int(text).map(ConfigContent.int) ?? .string(text) : .string(text)
        }
        if !listen.isEmpty { values[.listen] = .stringArray(listen) }
        if !filters.isEmpty { values[.filters] = .stringArray(filters) }
        return values
    }

    /// The flags as a provider, the highest in precedence.
    var provider: InMemoryProvider {
        InMemoryProvider(
            name: "flags",
            values: Dictionary(uniqueKeysWithValues: values.map { key, content in
                (AbsoluteConfigKey([key.rawValue]), ConfigValue(content, isSecret: false))
            })
        )
    }
}
