#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One setting of `config/fileopend.yaml`: its name in the file, its environment variable and its
/// command-line flag, and whether a reload can change it while the daemon runs.
///
/// Keys are flat, snake_case, one per line: a typo then shows as an unknown key instead of a
/// misplaced section, and every key has exactly one variable (`FILEOPEND_` + the key in upper case).
public enum ConfigurationKey: String, CaseIterable, Sendable, Comparable, CustomStringConvertible {
    /// Where /metrics is served: a list of `IPv4:PORT` / `[IPv6]:PORT`.
    case listen
    /// The web configuration file (TLS, basic authentication) of the metrics listener.
    case webConfigFile = "web_config_file"
    /// The query socket's path.
    case socket
    /// The group that may use the query socket.
    case socketGroup = "socket_group"
    /// How the kernel program hooks opens.
    case attachMode = "attach_mode"
    /// The kernel function the fentry and kprobe modes hook.
    case hookFunction = "hook_function"
    /// A record per open, or counts kept in the kernel.
    case detailLevel = "detail_level"
    /// Which opens the kernel program reports at all (include/exclude by uid, comm, unit; failed-only).
    case filters
    /// The ring buffer's size in bytes.
    case ringBufferSize = "ring_buffer_size"
    /// Milliseconds between drains of the ring buffer.
    case drainInterval = "drain_interval"
    /// Seconds an exited process keeps its own series.
    case retention
    /// The cap on processes with series of their own.
    case maxProcesses = "max_processes"
    /// The cap on command names with totals of their own.
    case maxComms = "max_comms"
    /// The cap on units with totals of their own.
    case maxUnits = "max_units"
    /// The cap on processes that keep top paths.
    case maxTopPathsProcesses = "max_top_paths_processes"
    /// Seconds over which `top` computes its rates.
    case rateWindow = "rate_window"
    /// The lowest level of log line written.
    case logLevel = "log_level"

    /// The key as written in the file.
    public var description: String { rawValue }

    /// The environment variable that overrides the file: `FILEOPEND_RETENTION` for `retention`.
    public var environmentVariable: String { Self.environmentPrefix + rawValue.uppercased() }

    /// The variables' common prefix.
    public static let environmentPrefix = "FILEOPEND_"

    /// The command-line flag that overrides the file and the environment.
    public var flag: String {
        switch self {
        case .attachMode: "--mode"
        case .filters: "--filter"
        default: "--" + rawValue.replacingOccurrences(of: "_", with: "-")
        }
    }

    /// Whether a reload (SIGHUP) applies a change at once. The others are bound into sockets, the
    /// loaded BPF program or the consumer thread's timers, so changing them means restarting.
    /// The web configuration file is read again on every reload (certificates renewed in place
    /// are picked up); only switching between HTTP and HTTPS needs a restart.
    /// The rate window stays restart-only because the maintenance pass that ends each window
    /// keeps the interval it was started with; changing only the divisor would skew `top`'s rates.
    public var isLive: Bool {
        switch self {
        case .webConfigFile, .detailLevel, .filters, .retention, .maxProcesses, .maxComms, .maxUnits,
             .maxTopPathsProcesses, .logLevel:
            true
        case .listen, .socket, .socketGroup, .attachMode, .hookFunction, .ringBufferSize, .drainInterval, .rateWindow:
            false
        }
    }

    /// File order (as in `config/fileopend.yaml`).
    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
