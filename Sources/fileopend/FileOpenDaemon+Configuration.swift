import ArgumentParser
import FileOpenConfiguration
import FileOpenCore
import FileOpenProbe
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// From the flags, the environment and the configuration file to the daemon's settings.
extension FileOpenDaemon {
    /// The file path, the environment and the flags that were given.
    func configurationInputs() -> ConfigurationInputs {
        var overrides = ConfigurationOverrides()
        overrides.listen = listenAddresses
        overrides.filters = filterRules
        let flags: [ConfigurationKey: String?] = [
            .webConfigFile: webConfigFile, .socket: socket, .socketGroup: socketGroup, .attachMode: mode, .hookFunction: hookFunction, .detailLevel: detailLevel,
            .ringBufferSize: ringBufferSize, .drainInterval: drainInterval, .retention: retention,
            .maxProcesses: maxProcesses, .maxComms: maxComms, .maxUnits: maxUnits,
            .maxTopPathsProcesses: maxTopPathsProcesses,
            .rateWindow: rateWindow, .logLevel: logLevel,
        ]
        overrides.flags = flags.compactMapValues { $0 }
        return ConfigurationInputs(
            path: config, environment: ProcessInfo.processInfo.environment, overrides: overrides
        )
    }

    /// Loads and validates, or prints the one-line reason and exits 78 (EX_CONFIG).
    static func loadConfiguration(_ inputs: ConfigurationInputs) throws -> LoadedConfiguration {
        do {
            return try ConfigurationLoader.load(inputs)
        } catch {
            Self.writeToStandardError("fileopend: \(error)\n")
            throw ExitCode(ConfigurationError.exitCode)
        }
    }

    /// What `--check-config` prints: where the configuration came from, then every key.
    static func checkConfigReport(_ loaded: LoadedConfiguration, inputs: ConfigurationInputs) -> String {
        let origin = loaded.filePath.map { "# configuration file \($0): valid" }
            ?? "# no configuration file at \(inputs.path): defaults, environment and flags"
        return origin + "\n" + webReport(loaded) + loaded.configuration.rendered()
    }

    /// `--check-config`'s line on the web configuration file, if one is set: what it asks of clients.
    static func webReport(_ loaded: LoadedConfiguration) -> String {
        guard let path = loaded.configuration.webConfigFile else { return "" }
        let web = loaded.webSecurity
        var parts = [
            web.tls.map { "TLS \($0.minVersion.rawValue)-\($0.maxVersion.rawValue), client certificates \($0.clientAuth.rawValue)" }
                ?? "plain HTTP"
        ]
        let users = web.basicAuthUsers.count
        parts.append(users == 0 ? "no basic authentication" : "basic authentication (\(users) users)")
        if !web.headers.isEmpty { parts.append("\(web.headers.count) extra header fields") }
        return "# web configuration file \(path): valid (\(parts.joined(separator: ", ")))\n"
    }

    /// Says which file configured the daemon, or that none did.
    static func logSource(_ loaded: LoadedConfiguration, inputs: ConfigurationInputs, logger: Logger) {
        if let path = loaded.filePath {
            logger.info("configuration read from \(path)")
        } else {
            logger.info("no configuration file at \(inputs.path): using the defaults, FILEOPEND_* variables and flags")
        }
    }

    /// The validated configuration as the runtime's settings.
    func daemonSettings(_ loaded: LoadedConfiguration) -> DaemonSettings {
        let configuration = loaded.configuration
        var probe = ProbeSettings(mode: configuration.attachMode)
        probe.detailLevel = configuration.detailLevel
        probe.filters = configuration.filters
        probe.ringBufferBytes = configuration.ringBufferSize
        probe.drainInterval = .milliseconds(configuration.drainInterval)
        probe.sizeMissedMaps(maxProcesses: configuration.maxProcesses, maxComms: configuration.maxComms)
        probe.hookFunction = configuration.hookFunction
        return DaemonSettings(
            probe: probe, aggregator: configuration.aggregatorSettings, listen: configuration.listen,
            socketPath: configuration.socket, socketGroup: configuration.socketGroup, web: loaded.webSecurity
        )
    }
}
