public import FileOpenCore
public import FileOpenServer
public import Logging
import Synchronization

/// Re-reads the configuration on SIGHUP (`systemctl reload`) and applies what can change while
/// the daemon runs, without detaching the probe or touching a count.
///
/// The inputs are the ones the daemon started with (the same file path, the environment as it
/// was, the same flags), so a flag still overrides what the file now says. Live keys
/// (`ConfigurationKey.isLive`) take effect at once; a changed key that needs a restart is logged
/// by name and otherwise ignored — the running configuration keeps its old value, so the next
/// reload reports it again until the daemon is restarted. A file that does not validate changes
/// nothing: the one-line error is logged and `reload()` returns false.
public final class ConfigurationReloader: Sendable {
    private let inputs: ConfigurationInputs
    private let running: Mutex<DaemonConfiguration>
    private let logLevel: LogLevelControl
    private let applyAggregatorSettings: @Sendable (AggregatorSettings) -> Void
    private let applyDetailLevel: @Sendable (DetailLevel) -> String?
    private let applyWebSecurity: @Sendable (WebSecurity) -> String?
    private let applyFilters: @Sendable (OpenFilters) -> String?
    private let logger: Logger

    /// - Parameters:
    ///   - inputs: what the daemon was started with.
    ///   - running: the configuration it runs with.
    ///   - logLevel: the level every log handler reads.
    ///   - applyAggregatorSettings: hands new bounds to the aggregator (`AggregatorStore.update(settings:)`).
    ///   - applyDetailLevel: switches the probe's detail level; returns why it refused, or nil.
    ///   - applyWebSecurity: hands the web configuration file's settings (read again on every
    ///     reload) to the metrics server; returns why it refused, or nil.
    ///   - applyFilters: replaces the probe's filters; returns why it refused, or nil.
    public init(
        inputs: ConfigurationInputs, running: DaemonConfiguration, logLevel: LogLevelControl,
        logger: Logger, applyAggregatorSettings: @escaping @Sendable (AggregatorSettings) -> Void,
        applyDetailLevel: @escaping @Sendable (DetailLevel) -> String? = { _ in nil },
        applyWebSecurity: @escaping @Sendable (WebSecurity) -> String? = { _ in nil },
        applyFilters: @escaping @Sendable (OpenFilters) -> String? = { _ in nil }
    ) {
        self.applyWebSecurity = applyWebSecurity
        self.inputs = inputs
        self.running = Mutex(running)
        self.logLevel = logLevel
        self.logger = logger
        self.applyAggregatorSettings = applyAggregatorSettings
        self.applyDetailLevel = applyDetailLevel
        self.applyFilters = applyFilters
    }

    /// The configuration in effect now.
    public var current: DaemonConfiguration { running.withLock { $0 } }

    /// Re-reads and applies; true when the file validated (even if nothing changed or some change
    /// needs a restart), false when it was refused and nothing changed. Serialized: two reloads
    /// never interleave. Blocks for as long as reading the file takes.
    @discardableResult
    public func reload() -> Bool {
        let loaded: LoadedConfiguration
        do {
            loaded = try ConfigurationLoader.load(inputs)
        } catch {
            logger.error("configuration reload refused, keeping the running configuration: \(error)")
            return false
        }
        let new = loaded.configuration
        return running.withLock { running in
            let changed = new.changedKeys(from: running)
            var live = changed.filter(\.isLive)
            let restart = changed.filter { !$0.isLive }
            let old = running
            for key in ConfigurationKey.allCases where key.isLive || !changed.contains(key) {
                running.take(key, from: new)
            }
            if live.contains(.detailLevel), let refusal = applyDetailLevel(running.detailLevel) {
                logger.error("detail_level stays \(old.detailLevel): \(refusal)")
                running.take(.detailLevel, from: old)
                live.removeAll { $0 == .detailLevel }
            }
            if live.contains(.filters), let refusal = applyFilters(running.filters) {
                logger.error("filters stay \(old.text(of: .filters)): \(refusal)")
                running.take(.filters, from: old)
                live.removeAll { $0 == .filters }
            }
            // Read again whether or not its path changed: certificates are renewed in place.
            if let refusal = applyWebSecurity(loaded.webSecurity) {
                logger.error("web_config_file not applied, keeping the running one: \(refusal)")
                running.take(.webConfigFile, from: old)
                live.removeAll { $0 == .webConfigFile }
            }
            if live.contains(where: { ![.logLevel, .detailLevel, .filters, .webConfigFile].contains($0) }) {
                applyAggregatorSettings(running.aggregatorSettings)
            }

            let file = loaded.filePath ?? "no file at \(inputs.path)"
            if live.isEmpty {
                logger.notice("configuration reloaded from \(file): no live setting changed")
            } else {
                let changes = live.map { "\($0) \(old.text(of: $0)) -> \(running.text(of: $0))" }
                logger.notice("configuration reloaded from \(file): changed \(changes.joined(separator: ", "))")
            }
            if !restart.isEmpty {
                let names = restart.map(\.rawValue).joined(separator: ", ")
                logger.warning("configuration changes that need a restart to take effect, not applied: \(names)")
            }
            // Last, so that the lines above are written even when the new level would hide them.
            if live.contains(.logLevel) { logLevel.current = running.logLevel }
            return true
        }
    }
}
