import FileOpenConfiguration
import FileOpenCore
import FileOpenTestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// SIGHUP's work without the signal: live keys change at once, restart-only keys are logged and
/// kept, a bad file changes nothing.
@Suite("Configuration reload")
struct ConfigurationReloaderTests {
    /// A reloader over a scratch file, with what it hands the aggregator recorded.
    final class Fixture {
        let path: String
        let reloader: ConfigurationReloader
        let levels: LogLevelControl
        /// What the reloader handed the aggregator, in order.
        let applied = Recorded<AggregatorSettings>()
        let log: RecordingLogHandler.Store

        init(_ text: String) throws {
            let directory = try TestEnvironment.makeScratchDirectory("reload")
            path = directory.appendingPathComponent("fileopend.yaml").path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            let inputs = ConfigurationInputs(path: path)
            let running = try ConfigurationLoader.load(inputs).configuration
            let (logger, log) = RecordingLogHandler.logger()
            self.log = log
            let levels = LogLevelControl(running.logLevel)
            self.levels = levels
            let applied = applied
            reloader = ConfigurationReloader(
                inputs: inputs, running: running, logLevel: levels, logger: logger,
                applyAggregatorSettings: { applied.append($0) }
            )
        }

        func rewrite(_ text: String) throws {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        }
    }

    @Test("Live keys apply at once; the aggregator gets its new bounds; the log names each change")
    func liveChange() throws {
        let fixture = try Fixture("retention: 300\nmax_processes: 100\nlog_level: info\n")
        try fixture.rewrite("retention: 60\nmax_processes: 50\nlog_level: debug\n")
        #expect(fixture.reloader.reload())
        #expect(fixture.reloader.current.retention == 60)
        #expect(fixture.reloader.current.maxProcesses == 50)
        #expect(fixture.levels.current == .debug)
        let applied = fixture.applied.all
        #expect(applied.count == 1)
        #expect(applied.first?.retention == .seconds(60) && applied.first?.maxProcesses == 50)
        let messages = fixture.log.messages.map(\.message)
        #expect(messages.contains {
            $0.contains("configuration reloaded from \(fixture.path): changed retention 300 -> 60, max_processes 100 -> 50, log_level info -> debug")
        }, "\(messages)")
    }

    @Test("Restart-only keys are logged by name and keep their running value, reload after reload")
    func restartOnlyChange() throws {
        let fixture = try Fixture("ring_buffer_size: 4194304\nlisten: [\"127.0.0.1:9469\"]\nretention: 300\n")
        try fixture.rewrite("ring_buffer_size: 8388608\nlisten: [\"127.0.0.1:9470\"]\nretention: 300\n")
        for _ in 0..<2 {
            #expect(fixture.reloader.reload())
            #expect(fixture.reloader.current.ringBufferSize == 4_194_304)
            #expect(fixture.reloader.current.listen.map(\.description) == ["127.0.0.1:9469"])
        }
        let warnings = fixture.log.messages.map(\.message).filter { $0.contains("need a restart") }
        #expect(warnings.count == 2)
        #expect(warnings.allSatisfy { $0.hasSuffix("not applied: listen, ring_buffer_size") }, "\(warnings)")
        #expect(fixture.applied.all.isEmpty, "the aggregator was touched though no live key changed")
    }

    @Test("A bad file on reload changes nothing and is logged with the reason", arguments: [
        "retention: soon", "retension: 5", "a: [1", "- 1",
    ])
    func badFileKeepsTheRunningConfiguration(text: String) throws {
        let fixture = try Fixture("retention: 120\nlog_level: warning\n")
        let before = fixture.reloader.current
        try fixture.rewrite(text + "\nlog_level: trace\n")
        #expect(!fixture.reloader.reload())
        #expect(fixture.reloader.current == before)
        #expect(fixture.levels.current == .warning)
        #expect(fixture.applied.all.isEmpty)
        #expect(fixture.log.messages.map(\.message).contains {
            $0.hasPrefix("configuration reload refused, keeping the running configuration: ")
        }, "\(fixture.log.messages)")
    }

    @Test("A file removed since start means the defaults again for live keys")
    func removedFile() throws {
        let fixture = try Fixture("retention: 120\n")
        try FileManager.default.removeItem(atPath: fixture.path)
        // The daemon was started with this explicit path: a missing file is refused, not defaulted.
        #expect(!fixture.reloader.reload())
        #expect(fixture.reloader.current.retention == 120)
    }
}

/// Values a callback received, readable from the test.
final class Recorded<Value: Sendable>: Sendable {
    private let values = Mutex<[Value]>([])

    func append(_ value: Value) {
        values.withLock { $0.append(value) }
    }

    var all: [Value] { values.withLock { $0 } }
}
