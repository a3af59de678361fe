public import ArgumentParser
import FileOpenCore
import FileOpenProbe
import Foundation
public import Logging

/// `fileopend`: loads the file-open probe and streams or counts every open on the host.
@main
struct FileOpenDaemon: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fileopend",
        abstract: "Watch every file open on the host with eBPF.",
        discussion: """
            Needs root, or CAP_BPF and CAP_PERFMON, a kernel with BTF (/sys/kernel/btf/vmlinux) \
            and tracefs mounted at /sys/kernel/tracing. Ctrl-C (SIGINT) or SIGTERM stops it and \
            prints how many records were received and dropped.
            """
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

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        if json && !print { throw ValidationError("--json only applies with --print") }
        if drainInterval < 1 || drainInterval > 1000 {
            throw ValidationError("--drain-interval must be between 1 and 1000 milliseconds")
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

        var settings = ProbeSettings(mode: mode)
        settings.ringBufferBytes = ringBufferSize
        settings.drainInterval = .milliseconds(drainInterval)

        let shutdown = ShutdownSignal()
        let signalSources = shutdown.observeSignals()
        let probe: FileOpenProbe
        do {
            probe = try FileOpenProbe.attach(settings: settings, logger: logger)
        } catch {
            FileHandle.standardError.write(Data("fileopend: \(error)\n".utf8))
            throw ExitCode(error.exitCode)
        }
        let printer = print ? EventPrinter(json: json, onClosed: { shutdown.request() }) : nil
        let consumer = FileOpenConsumer(probe: probe, logger: logger) { batch in printer?.print(batch) }
        consumer.start()
        if !print { logger.notice("counting file opens; Ctrl-C prints the totals") }

        withExtendedLifetime(signalSources) { shutdown.wait() }
        probe.detach()
        consumer.stop()
        let drops = try? probe.dropCounts()
        probe.close()
        FileHandle.standardError.write(Data((Self.summary(consumer.statistics, drops) + "\n").utf8))
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
