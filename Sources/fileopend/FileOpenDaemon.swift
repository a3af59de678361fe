public import ArgumentParser
import FileOpenCore
import FileOpenProbe
import FileOpenServer
import Foundation
public import Logging

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
            SIGTERM stops it and prints how many records were received and dropped.
            """,
        version: FileOpenVersion.current
    )

    @Flag(help: "Print every open as a line: PID TID COMM FD ERR FLAGS PATH (like opensnoop).")
    var print = false

    @Flag(help: "With --print: one JSON object per line, process exits included.")
    var json = false

    @Option(help: "Attach mode: auto (fentry, then kprobe, then tracepoint), fentry, kprobe or tracepoint.")
    var mode: AttachMode = .auto

    @Option(help: "Ring buffer size in bytes: a power of two, at least a page.")
    var ringBufferSize = 4 << 20

    @Option(help: "Drain interval in milliseconds: the longest a record waits in the ring.")
    var drainInterval = 10

    @Option(
        name: .customLong("listen"),
        help: ArgumentHelp(
            "Address for /metrics: IPv4:PORT or [IPv6]:PORT; repeat for several (default 127.0.0.1:9469).",
            valueName: "address"
        )
    )
    var listenAddresses: [String] = []

    @Option(help: "Seconds an exited process keeps its own series before only its command's totals remember it.")
    var retention = 300

    @Option(help: "Most processes with series of their own; the least recently active beyond it fold into pid=\"other\".")
    var maxProcesses = 10_000

    @Option(help: "Most command names with totals of their own; further ones count under comm=\"[other]\".")
    var maxComms = 10_000

    @Option(help: ArgumentHelp("Path of the query socket that fileopenctl talks to.", valueName: "path"))
    var socket = "/run/fileopend/fileopend.sock"

    @Option(help: ArgumentHelp(
        "Group that may query the socket (mode 0660); root's group when it does not exist.", valueName: "name"
    ))
    var socketGroup = "fileopend"

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    /// Test-only (scripts/vmtest): the kernel function fentry and kprobe hook, to simulate a kernel without it.
    @Option(name: .customLong("test-hook-function"), help: ArgumentHelp(visibility: .private))
    var testHookFunction: String?

    func validate() throws {
        if json && !print { throw ValidationError("--json only applies with --print") }
        if drainInterval < 1 || drainInterval > 1000 {
            throw ValidationError("--drain-interval must be between 1 and 1000 milliseconds")
        }
        if retention < 0 { throw ValidationError("--retention must be 0 or more seconds") }
        if maxProcesses < 1 { throw ValidationError("--max-processes must be at least 1") }
        if maxComms < 1 { throw ValidationError("--max-comms must be at least 1") }
        for address in listenAddresses {
            do {
                _ = try ListenAddress(parsing: address)
            } catch {
                throw ValidationError("--listen: \(error)")
            }
        }
    }

    func run() throws {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "fileopend")

        var probeSettings = ProbeSettings(mode: mode)
        probeSettings.ringBufferBytes = ringBufferSize
        probeSettings.drainInterval = .milliseconds(drainInterval)
        if let testHookFunction { probeSettings.hookFunction = testHookFunction }
        let settings = DaemonSettings(
            probe: probeSettings,
            aggregator: AggregatorSettings(retention: .seconds(retention), maxProcesses: maxProcesses, maxComms: maxComms),
            listen: try (listenAddresses.isEmpty ? ["127.0.0.1:9469"] : listenAddresses).map(ListenAddress.init(parsing:)),
            socketPath: socket, socketGroup: socketGroup
        )

        // Privileges and kernel features first: their one-line error beats any later, vaguer one.
        do {
            try ProbePreflight.check(probeSettings)
        } catch {
            FileHandle.standardError.write(Data("fileopend: \(error)\n".utf8))
            throw ExitCode(error.exitCode)
        }
        let shutdown = ShutdownSignal()
        let signalSources = shutdown.observeSignals()
        let printer = print ? EventPrinter(json: json, onClosed: { shutdown.request() }) : nil
        let runtime: DaemonRuntime
        do {
            runtime = try DaemonRuntime(settings: settings, printer: printer, logger: logger)
        } catch {
            FileHandle.standardError.write(Data("fileopend: \(error)\n".utf8))
            throw ExitCode(error.exitCode)
        }

        withExtendedLifetime(signalSources) { shutdown.wait() }
        runtime.stop()
        let drops = try? runtime.probe.dropCounts()
        runtime.probe.close()
        FileHandle.standardError.write(Data((Self.summary(runtime.consumer.statistics, drops) + "\n").utf8))
    }

    /// The closing line: what arrived and what was lost, by reason.
    static func summary(_ statistics: FileOpenConsumer.Statistics, _ drops: DropCounts?) -> String {
        guard let drops else {
            return "fileopend: \(statistics.opens) opens received; drop counters unreadable"
        }
        let reasons = DropReason.allCases.filter { $0 != .exitRingBufferFull }
            .map { "\($0) \(drops[$0])" }.joined(separator: ", ")
        return "fileopend: \(statistics.opens) opens received, \(drops.droppedOpens) dropped (\(reasons)); "
            + "\(statistics.exits) process exits received, \(drops[.exitRingBufferFull]) lost; "
            + "\(statistics.undecodable) undecodable records"
    }
}

extension AttachMode: ExpressibleByArgument {}
extension Logger.Level: @retroactive ExpressibleByArgument {}

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
