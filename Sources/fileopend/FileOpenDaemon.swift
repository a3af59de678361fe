import ArgumentParser
import FileOpenConfiguration
import FileOpenCore
import FileOpenProbe
import FileOpenSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Logging

/// `fileopend`: loads the file-open probe and streams or counts every open on the host.
@main
struct FileOpenDaemon: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fileopend",
        abstract: "Count every file open on the host with eBPF and serve the counts to Prometheus.",
        discussion: """
            Serves per-process and per-command counters at http://127.0.0.1:9469/metrics (see \
            --listen). Needs root, or CAP_BPF and CAP_PERFMON, a kernel with BTF \
            (/sys/kernel/btf/vmlinux) and tracefs mounted at /sys/kernel/tracing. Ctrl-C (SIGINT) or \
            SIGTERM stops it and prints how many records were received and dropped. Settings come from \
            the configuration file (--config, default /etc/fileopend/fileopend.yaml), then FILEOPEND_* \
            environment variables, then these flags; SIGHUP re-reads the file.
            """,
        version: FileOpenVersion.current
    )

    @Flag(help: "Print every open as a line: PID TID COMM FD ERR FLAGS PATH (like opensnoop).")
    var print = false

    @Flag(help: "With --print: one JSON object per line, process exits included.")
    var json = false

    @Option(help: ArgumentHelp(
        "Configuration file (default \(ConfigurationInputs.defaultPath), used when it exists).", valueName: "file"
    ))
    var config: String?

    @Flag(help: "Validate the configuration (file, environment, flags), print it and exit, without attaching.")
    var checkConfig = false

    // The options below are keys of the configuration: each is taken as text and checked with the
    // file's and the environment's values, so a bad one gets the same one-line refusal (exit 78).
    // Each takes the next argument as its value even when it starts with '-', so that
    // `--retention -1` is refused as out of range rather than read as an unknown option.

    @Option(
        parsing: .unconditional,
        help: "Attach mode: auto (fentry, then kprobe, then tracepoint), fentry, kprobe or tracepoint (default auto).",
        completion: .list(AttachMode.allCases.map(\.rawValue))
    )
    var mode: String?

    @Option(
        parsing: .unconditional,
        help: "What the kernel reports per open: events (a record each, with its path) or counts (counted in the kernel, no paths; default events).",
        completion: .list(DetailLevel.allCases.map(\.rawValue))
    )
    var detailLevel: String?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Kernel function the fentry and kprobe modes hook (default do_sys_openat2); one the kernel lacks makes both "
            + "refuse, so auto falls back to tracepoint.",
        valueName: "name"
    ))
    var hookFunction: String?

    @Option(parsing: .unconditional, help: "Ring buffer size in bytes: a power of two, at least a page (default 4194304).")
    var ringBufferSize: String?

    @Option(
        parsing: .unconditional,
        help: "Drain interval in milliseconds: the longest a record waits in the ring (1-1000, default 10)."
    )
    var drainInterval: String?

    @Option(
        name: .customLong("listen"),
        parsing: .unconditionalSingleValue,
        help: ArgumentHelp(
            "Address for /metrics: IPv4:PORT or [IPv6]:PORT; repeat for several (default 127.0.0.1:9469).",
            valueName: "address"
        )
    )
    var listenAddresses: [String] = []

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Web configuration file for /metrics in Prometheus exporter-toolkit's format (--web.config.file): TLS, "
            + "client certificates, basic authentication (default none: plain HTTP).",
        valueName: "file"
    ))
    var webConfigFile: String?

    @Option(
        name: .customLong("filter"),
        parsing: .unconditionalSingleValue,
        help: ArgumentHelp(
            "A filter applied in the kernel: 'include|exclude uid|comm|unit=VALUE' or 'failed-only'; repeat for several "
                + "(default none). Filtered-out opens are not counted.",
            valueName: "rule"
        )
    )
    var filterRules: [String] = []

    @Option(
        parsing: .unconditional,
        help: "Seconds an exited process keeps its own series before only its command's totals remember it (default 300)."
    )
    var retention: String?

    @Option(
        parsing: .unconditional,
        help: "Most processes with series of their own; the least recently active beyond it fold into pid=\"other\" (default 10000)."
    )
    var maxProcesses: String?

    @Option(
        parsing: .unconditional,
        help: "Most command names with totals of their own; further ones count under comm=\"[other]\" (default 10000)."
    )
    var maxComms: String?

    @Option(
        parsing: .unconditional,
        help: "Most units (systemd unit and container id) with totals of their own; further ones count under unit=\"[other]\" (default 1000)."
    )
    var maxUnits: String?

    @Option(
        parsing: .unconditional,
        help: "Most processes that keep top paths for fileopenctl proc, the most recently active ones; 0 for none (default 1000)."
    )
    var maxTopPathsProcesses: String?

    @Option(parsing: .unconditional, help: "Seconds over which fileopenctl top computes rates (1-3600, default 10).")
    var rateWindow: String?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Path of the query socket that fileopenctl talks to (default /run/fileopend/fileopend.sock).", valueName: "path"
    ))
    var socket: String?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Group that may query the socket (mode 0660); root's group when it does not exist (default fileopend).",
        valueName: "name"
    ))
    var socketGroup: String?

    @Option(
        parsing: .unconditional,
        help: "Log level: trace, debug, info, notice, warning, error or critical (default info).",
        completion: .list(Logger.Level.allCases.map(\.rawValue))
    )
    var logLevel: String?

    func validate() throws {
        if json && !print { throw ValidationError("--json only applies with --print") }
    }

    /// As `ParsableCommand.main()`, but a usage error (an unknown option, a missing value) is one
    /// line on standard error and exit 64 (EX_USAGE), as every other refusal is one line;
    /// `--help` and `--version` print as usual.
    static func main() {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            guard exitCode(for: error) != .success else { exit(withError: error) }
            let message = message(for: error).split(whereSeparator: \.isNewline)
                .map(\.trimmingSpaces).joined(separator: " ")
            writeToStandardError("fileopend: \(message) (fileopend --help lists the options)\n")
            exit(withError: ExitCode(64))
        }
        do {
            try command.run()
        } catch {
            exit(withError: error)
        }
    }

    func run() throws {
        // Before anything slow: from here a SIGHUP waits for the daemon instead of killing it.
        let reloadSignal = ReloadSignal()
        MemoryTuning.fixMmapThreshold()
        let inputs = configurationInputs()
        let loaded = try Self.loadConfiguration(inputs)
        if checkConfig {
            Swift.print(Self.checkConfigReport(loaded, inputs: inputs))
            return
        }
        let levelControl = LogLevelControl(loaded.configuration.logLevel)
        LoggingSystem.bootstrap { label in
            LiveLevelLogHandler(DaemonLogging.makeHandler(label: label), control: levelControl)
        }
        let logger = Logger(label: "fileopend")
        #if TestHooks
        var settings = daemonSettings(loaded)
        do {
            let environment = ProcessInfo.processInfo.environment
            settings.syntheticProcesses = try SyntheticProcesses.count(in: environment)
            settings.freeze = try ConsumerFreeze.request(in: environment)
        } catch {
            Self.writeToStandardError("fileopend: \(error)\n")
            throw ExitCode(64)
        }
        #else
        let settings = daemonSettings(loaded)
        #endif

        // Privileges and kernel features first: their one-line error beats any later, vaguer one.
        do {
            try ProbePreflight.check(settings.probe)
        } catch {
            Self.writeToStandardError("fileopend: \(error)\n")
            throw ExitCode(error.exitCode)
        }
        Self.logSource(loaded, inputs: inputs, logger: logger)
        let shutdown = ShutdownSignal()
        let signalSources = shutdown.observeSignals()
        let printer = print ? EventPrinter(json: json, onClosed: { shutdown.request() }) : nil
        let runtime: DaemonRuntime
        do {
            runtime = try DaemonRuntime(settings: settings, printer: printer, logger: logger)
        } catch {
            Self.writeToStandardError("fileopend: \(error)\n")
            throw ExitCode(error.exitCode)
        }

        let reloader = ConfigurationReloader(
            inputs: inputs, running: loaded.configuration, logLevel: levelControl, logger: logger,
            applyAggregatorSettings: { [store = runtime.store] in store.update(settings: $0) },
            applyDetailLevel: { runtime.applyDetailLevel($0) },
            applyWebSecurity: { runtime.applyWebSecurity($0) },
            applyFilters: { runtime.applyFilters($0) }
        )
        reloadSignal.start {
            runtime.notifyReloading()
            reloader.reload()
            runtime.notifyReady()
        }

        withExtendedLifetime(signalSources) { shutdown.wait() }
        reloadSignal.stop()
        runtime.stop()
        Self.writeToStandardError(Self.summary(runtime.figures()) + "\n")
    }

    /// Writes to standard error, ignoring failure: a daemon whose terminal or pipe went away must
    /// still exit cleanly.
    static func writeToStandardError(_ text: String) {
        _ = DescriptorWriter.writeAll(Array(text.utf8), to: STDERR_FILENO)
    }

    /// The closing line, from the components' last figures: what arrived and what was lost, by reason.
    static func summary(_ figures: DaemonFigures) -> String {
        let statistics = figures[FileOpenConsumer.Statistics.self] ?? FileOpenConsumer.Statistics()
        guard let drops = figures[ProbeStatistics.self]?.drops else {
            return "fileopend: \(statistics.opens) opens received; drop counters unreadable"
        }
        // Lost opens by reason; exits follow, and a lost cgroup record matters only to units.
        let otherReasons: [DropReason] = [.exitRingBufferFull, .exitUnmarked, .cgroupRingBufferFull]
        let reasons = DropReason.allCases.filter { !otherReasons.contains($0) }
            .map { "\($0) \(drops[$0])" }.joined(separator: ", ")
        return "fileopend: \(statistics.opens) opens received, \(drops.droppedOpens) dropped (\(reasons)); "
            + "\(statistics.exits) process exits received, \(drops[.exitRingBufferFull]) lost "
            + "(\(drops[.exitUnmarked]) of them unmarked); \(statistics.undecodable) undecodable records"
    }
}

extension ProbeError {
    /// sysexits.h: EX_NOPERM for privileges, EX_UNAVAILABLE for a kernel that lacks a feature,
    /// EX_CONFIG for a bad setting, EX_SOFTWARE otherwise.
    var exitCode: Int32 {
        switch self {
        case .missingCapabilities: 77
        case .kernelBTFMissing, .tracefsMissing, .noAttachModeWorked: 69
        case .invalidSetting: 78
        case .bpf: 70
        }
    }
}
