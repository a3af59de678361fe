import FileOpenConfiguration
import FileOpenCore
import FileOpenServer
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
        /// What the reloader handed the metrics server, in order.
        let webApplied = Recorded<WebSecurity>()
        let log: RecordingLogHandler.Store

        /// `refuseWeb`: what the metrics server answers a web configuration (nil: applied).
        init(_ text: String, refuseWeb: String? = nil) throws {
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
            let webApplied = webApplied
            reloader = ConfigurationReloader(
                inputs: inputs, running: running, logLevel: levels, logger: logger,
                applyAggregatorSettings: { applied.append($0) },
                applyWebSecurity: { web in
                    webApplied.append(web)
                    return refuseWeb
                }
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

    @Test("The web configuration file is read again on every reload, changed or not; a refusal keeps the running one")
    func webConfigurationFile() throws {
        let directory = try TestEnvironment.makeScratchDirectory("reload-web")
        defer { try? FileManager.default.removeItem(at: directory) }
        let web = directory.appendingPathComponent("web.yml").path
        let hash = "$2b$10$h7f8jwkK7mF8FjnNdQrK9.VyOa5ZyfMpSGFaDEn0kXV8HsEh4.RKu"
        try "basic_auth_users:\n  alice: \(hash)\n".write(toFile: web, atomically: true, encoding: .utf8)
        let fixture = try Fixture("web_config_file: \(web)\n")
        try "basic_auth_users:\n  bob: \(hash)\n".write(toFile: web, atomically: true, encoding: .utf8)
        #expect(fixture.reloader.reload())
        #expect(fixture.webApplied.all.map { Array($0.basicAuthUsers.keys) } == [["bob"]])
        // A file that no longer parses: the whole reload is refused, nothing handed over.
        try "basic_auth_users: [bob]\n".write(toFile: web, atomically: true, encoding: .utf8)
        #expect(!fixture.reloader.reload())
        #expect(fixture.webApplied.all.count == 1)
        #expect(fixture.log.messages.map(\.message).contains {
            $0 == "configuration reload refused, keeping the running configuration: invalid web configuration file \(web): basic_auth_users: a list where a mapping of user: bcrypt hash belongs"
        })

        // The metrics server refuses (e.g. HTTP to HTTPS): logged, and the running path stays.
        let refusing = try Fixture("retention: 300\n", refuseWeb: "needs a restart")
        try refusing.rewrite("retention: 300\nweb_config_file: \(web)\n")
        try "basic_auth_users:\n  carol: \(hash)\n".write(toFile: web, atomically: true, encoding: .utf8)
        #expect(refusing.reloader.reload())
        #expect(refusing.reloader.current.webConfigFile == nil)
        #expect(refusing.log.messages.map(\.message).contains("web_config_file not applied, keeping the running one: needs a restart"))
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
