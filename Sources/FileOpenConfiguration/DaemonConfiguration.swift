public import FileOpenCore
public import FileOpenServer
public import Logging

/// The daemon's effective configuration: every key of `config/fileopend.yaml` after the file, the
/// environment and the flags were merged and validated. The defaults here are the documented ones.
public struct DaemonConfiguration: Sendable, Equatable {
    /// Where /metrics is served.
    public var listen: [ListenAddress] = [DaemonConfiguration.defaultListenAddress]
    /// The web configuration file (TLS, basic authentication) of the metrics listener; nil: plain
    /// HTTP without authentication.
    public var webConfigFile: String?
    /// The query socket's path.
    public var socket = "/run/fileopend/fileopend.sock"
    /// The group that may use the query socket (root's group when it does not exist).
    public var socketGroup = "fileopend"
    /// How the kernel program hooks opens.
    public var attachMode: AttachMode = .auto
    /// The kernel function the fentry and kprobe modes hook.
    public var hookFunction = AttachMode.defaultHookFunction
    /// A record per open, or counts kept in the kernel.
    public var detailLevel: DetailLevel = .events
    /// Which opens the kernel program reports at all; none filtered by default.
    public var filters = OpenFilters()
    /// The ring buffer's size in bytes.
    public var ringBufferSize = 4 << 20
    /// Milliseconds between drains.
    public var drainInterval = 10
    /// Seconds an exited process keeps its own series.
    public var retention = 300
    /// The cap on tracked processes.
    public var maxProcesses = 10_000
    /// The cap on command names with totals of their own.
    public var maxComms = 10_000
    /// The cap on units with totals of their own.
    public var maxUnits = 1_000
    /// The cap on processes that keep top paths.
    public var maxTopPathsProcesses = 1_000
    /// Seconds over which `top` computes rates.
    public var rateWindow = 10
    /// The lowest level logged.
    public var logLevel: Logger.Level = .info

    /// Where each key's value came from (keys absent here have their default).
    public var sources: [ConfigurationKey: ConfigurationSource] = [:]

    /// The default configuration.
    public init() {}

    /// 127.0.0.1:9469: loopback only, so nothing is exposed until an administrator chooses to.
    public static var defaultListenAddress: ListenAddress {
        // A literal that parses by construction.
        try! ListenAddress(parsing: "127.0.0.1:9469")
    }

    /// The aggregator's bounds.
    public var aggregatorSettings: AggregatorSettings {
        AggregatorSettings(
            retention: .seconds(retention), maxProcesses: maxProcesses, maxComms: maxComms,
            maxTopPathsProcesses: maxTopPathsProcesses, rateWindow: .seconds(rateWindow), maxUnits: maxUnits
        )
    }

    /// The value of one key as `--check-config` prints it and a reload log names it.
    public func text(of key: ConfigurationKey) -> String {
        switch key {
        case .listen: "[" + listen.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        case .webConfigFile: webConfigFile ?? ""
        case .socket: socket
        case .socketGroup: socketGroup
        case .attachMode: attachMode.rawValue
        case .hookFunction: hookFunction
        case .detailLevel: detailLevel.rawValue
        case .filters: "[" + filters.items.map(Self.yamlQuoted).joined(separator: ", ") + "]"
        case .ringBufferSize: String(ringBufferSize)
        case .drainInterval: String(drainInterval)
        case .retention: String(retention)
        case .maxProcesses: String(maxProcesses)
        case .maxComms: String(maxComms)
        case .maxUnits: String(maxUnits)
        case .maxTopPathsProcesses: String(maxTopPathsProcesses)
        case .rateWindow: String(rateWindow)
        case .logLevel: logLevel.rawValue
        }
    }

    /// The keys whose values differ from `other`'s (sources ignored), in file order.
    public func changedKeys(from other: DaemonConfiguration) -> [ConfigurationKey] {
        ConfigurationKey.allCases.filter { text(of: $0) != other.text(of: $0) }
    }

    /// Copies `key`'s value (and its source) from `other`.
    public mutating func take(_ key: ConfigurationKey, from other: DaemonConfiguration) {
        switch key {
        case .listen: listen = other.listen
        case .webConfigFile: webConfigFile = other.webConfigFile
        case .socket: socket = other.socket
        case .socketGroup: socketGroup = other.socketGroup
        case .attachMode: attachMode = other.attachMode
        case .hookFunction: hookFunction = other.hookFunction
        case .detailLevel: detailLevel = other.detailLevel
        case .filters: filters = other.filters
        case .ringBufferSize: ringBufferSize = other.ringBufferSize
        case .drainInterval: drainInterval = other.drainInterval
        case .retention: retention = other.retention
        case .maxProcesses: maxProcesses = other.maxProcesses
        case .maxComms: maxComms = other.maxComms
        case .maxUnits: maxUnits = other.maxUnits
        case .maxTopPathsProcesses: maxTopPathsProcesses = other.maxTopPathsProcesses
        case .rateWindow: rateWindow = other.rateWindow
        case .logLevel: logLevel = other.logLevel
        }
        sources[key] = other.sources[key]
    }

    /// One `key: value` line per key in file order, each with a comment naming its source; valid
    /// YAML, so the output of `--check-config` can serve as a configuration file.
    public func rendered() -> String {
        ConfigurationKey.allCases.map { key in
            // Free text is quoted, so that a value YAML would read as something else (`null`, `true`,
            // `a: b`) reads back as the same text.
            let value = [.webConfigFile, .socket, .socketGroup, .hookFunction].contains(key) ? Self.yamlQuoted(text(of: key)) : text(of: key)
            return "\(key): \(value)  # \((sources[key] ?? .defaultValue).label)"
        }.joined(separator: "\n")
    }

    /// `text` as a YAML double-quoted scalar: a path may hold `: `, ` #`, quotes or control
    /// characters that would change its meaning unquoted (found by the configuration fuzz target).
    static func yamlQuoted(_ text: String) -> String {
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            // Control characters, and what YAML 1.1 reads as a line break or a byte order mark.
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
                || [0x2028, 0x2029, 0xFEFF].contains(scalar.value):
                let hex = String(scalar.value, radix: 16)
                quoted += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }
}
