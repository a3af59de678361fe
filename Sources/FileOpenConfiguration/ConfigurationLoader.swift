import Configuration

/// Merges the configuration file, the `FILEOPEND_*` environment variables and the command-line
/// flags (each overriding the one before) into one validated `DaemonConfiguration`.
///
/// Every source is a swift-configuration provider or snapshot (`YAMLSnapshot`,
/// `EnvironmentVariablesProvider`, `InMemoryProvider`), and every value is looked up through it
/// with the type the key needs. The lookup walks the sources itself instead of using a
/// `ConfigReader` over all three: a reader's getters turn a value of the wrong type into "absent"
/// (falling back to the default, the silent misconfiguration this must refuse), and its error type
/// is internal to the package, so a message could not name the source of a bad value.
public enum ConfigurationLoader {
    /// Reads and validates; throws the first problem found, sources checked in file-key order.
    /// With `web_config_file` set, that file is read, parsed and its certificates loaded too.
    public static func load(_ inputs: ConfigurationInputs) throws(ConfigurationError) -> LoadedConfiguration {
        var loaded = try load(inputs, file: ConfigurationFile.read(path: inputs.path, mustExist: inputs.pathIsExplicit))
        if let path = loaded.configuration.webConfigFile {
            loaded.webSecurity = try WebConfigurationFile.load(path: path)
        }
        return loaded
    }

    /// Validates `contents` as the file at `inputs.path` would be (without reading anything), with
    /// the environment and flags of `inputs`: the configuration fuzz target's entry point.
    public static func load(
        _ inputs: ConfigurationInputs, fileContents contents: [UInt8]
    ) throws(ConfigurationError) -> LoadedConfiguration {
        try load(inputs, file: ConfigurationFile(path: inputs.path, bytes: contents))
    }

    private static func load(
        _ inputs: ConfigurationInputs, file: ConfigurationFile?
    ) throws(ConfigurationError) -> LoadedConfiguration {
        try checkEnvironmentNames(inputs.environment)
        // One snapshot per source, shared by every key.
        let environment = EnvironmentVariablesProvider(environmentVariables: inputs.environment).snapshot()
        let flags = inputs.overrides.provider.snapshot()

        var configuration = DaemonConfiguration()
        for key in ConfigurationKey.allCases {
            // Highest precedence first: the first source that has the key decides.
            let layers: [(source: ConfigurationSource, snapshot: (any ConfigSnapshot)?, key: AbsoluteConfigKey)] = [
                (.flag(key.flag), flags, AbsoluteConfigKey([key.rawValue])),
                (.environment(key.environmentVariable), environment, AbsoluteConfigKey(["fileopend", key.rawValue])),
                (.file(inputs.path), file?.snapshot, AbsoluteConfigKey([key.rawValue])),
            ]
            // Every source is validated, not only the one that decides: a bad value in the file
            // must not lie in wait behind a flag, to surface on the next start without it.
            var decided = false
            for layer in layers {
                guard let snapshot = layer.snapshot else { continue }
                let found: ConfigValue?
                do {
                    found = try snapshot.value(forKey: layer.key, type: key.configType).value
                } catch {
                    throw wrongType(key, source: layer.source, file: file, inputs: inputs)
                }
                if let found {
                    if decided {
                        var overridden = DaemonConfiguration()
                        try key.apply(found.content, from: layer.source, to: &overridden)
                    } else {
                        try key.apply(found.content, from: layer.source, to: &configuration)
                        decided = true
                    }
                    continue
                }
                // A YAML key with an empty value, or a nested mapping, is present but not found.
                if case .file = layer.source, file?.contains(key) == true {
                    throw wrongType(key, source: layer.source, file: file, inputs: inputs)
                }
            }
        }
        return LoadedConfiguration(configuration: configuration, filePath: file == nil ? nil : inputs.path)
    }

    /// A `FILEOPEND_` variable that is one typo away from a known one is refused, as an unknown
    /// file key is. Others are left alone: the prefix is not ours alone (the test suite sets
    /// FILEOPEND_BIN_DIR, and it reaches the daemon it starts).
    static func checkEnvironmentNames(_ environment: [String: String]) throws(ConfigurationError) {
        let known = ConfigurationKey.allCases.map(\.environmentVariable)
        for name in environment.keys.sorted() where name.hasPrefix(ConfigurationKey.environmentPrefix) {
            guard !known.contains(name) else { continue }
            if let suggestion = KeySuggestion.closest(to: name, among: known) {
                throw .unknownKey(name, source: .environment(name), suggestion: suggestion)
            }
        }
    }

    /// The message for a value swift-configuration could not read as `key.configType`.
    private static func wrongType(
        _ key: ConfigurationKey, source: ConfigurationSource, file: ConfigurationFile?, inputs: ConfigurationInputs
    ) -> ConfigurationError {
        let raw: String
        var found: String?
        switch source {
        case .file:
            raw = file?.rawValue(of: key) ?? ""
            found = file?.structure(of: key).map { "\($0) where \(key.expectedKind) belongs" }
        case .environment(let name):
            raw = inputs.environment[name] ?? ""
        case .flag:
            raw = inputs.overrides.text(of: key) ?? ""
        case .defaultValue:
            raw = ""
        }
        if found == nil {
            found = raw.isEmpty ? "empty where \(key.expectedKind) belongs" : "not \(key.expectedKind)"
        }
        return .wrongType(key: key, value: raw, found: found!, source: source, allowed: key.allowed)
    }
}
