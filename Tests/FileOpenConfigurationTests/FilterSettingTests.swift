import FileOpenConfiguration
import FileOpenCore
import FileOpenTestSupport
import Foundation
import Logging
import Testing

/// The `filters` key: its grammar from the file, a variable and the flag, the canonical form
/// `--check-config` prints (which reads back the same), and bad, oversized and hostile items,
/// each refused with one line naming the key.
@Suite("Configuration: filters")
struct FilterSettingTests {
    static let allowed = OpenFilters.allowed

    @Test("The file, a variable (comma-separated) and the repeatable --filter flag, in canonical form")
    func sources() throws {
        let file = try ConfigurationLoaderTests.load("""
            filters:
              - "  exclude   uid=0042 "
              - include comm=Web Content
              - include unit=nginx.service
              - exclude unit=cri-containerd-ab12.scope
              - failed-only
              - include comm=Web Content
            """).get().configuration
        #expect(file.filters.items == [
            "exclude uid=42", "include comm=Web Content", "include unit=nginx.service",
            "exclude unit=cri-containerd-ab12.scope", "failed-only",
        ])
        #expect(file.filters.values(.include, .unit) == ["nginx.service"])
        let environment = try ConfigurationLoaderTests.load(
            "filters: [failed-only]", environment: ["FILEOPEND_FILTERS": "exclude comm=sshd,include uid=1000"]
        ).get().configuration
        #expect(environment.filters.items == ["exclude comm=sshd", "include uid=1000"])
        #expect(environment.sources[.filters] == .environment("FILEOPEND_FILTERS"))
        var overrides = ConfigurationOverrides()
        overrides.filters = ["exclude unit=user.slice"]
        let flag = try ConfigurationLoaderTests.load("filters: [failed-only]", overrides: overrides).get().configuration
        #expect(flag.filters.items == ["exclude unit=user.slice"] && flag.sources[.filters] == .flag("--filter"))
        #expect(try ConfigurationLoaderTests.load("filters: []").get().configuration.filters.isEmpty)
        #expect(ConfigurationKey.filters.isLive)
    }

    @Test("--check-config's rendering reads back as the same filters, whatever the values hold")
    func roundTrip() throws {
        let items = ["exclude comm=a: b #c", "include comm=\"q\\", "exclude unit=x,y.service", "failed-only"]
        var overrides = ConfigurationOverrides()
        overrides.filters = items
        let first = try ConfigurationLoaderTests.load("", overrides: overrides).get().configuration
        let second = try ConfigurationLoaderTests.load(first.rendered()).get().configuration
        #expect(second.filters == first.filters && first.filters.items == items)
    }

    /// Bad items: the message after "fileopend: ", the file written as FILE.
    static let badFiles: [(text: String, message: String)] = [
        ("filters: exclude uid=0", "invalid filters 'exclude uid=0' in FILE: a single value where a list belongs; allowed: \(allowed)"),
        ("filters: {exclude: uid}", "invalid filters '{exclude: uid}' in FILE: a mapping where a list belongs; allowed: \(allowed)"),
        ("filters: [\"exclude pid=1\"]", "invalid filters 'exclude pid=1' in FILE: no such kind 'pid' (uid, comm or unit); allowed: \(allowed)"),
        ("filters: [include]", "invalid filters 'include' in FILE: not 'include KIND=VALUE', 'exclude KIND=VALUE' or 'failed-only'; allowed: \(allowed)"),
        ("filters: [\"\"]", "invalid filters '' in FILE: an empty rule; allowed: \(allowed)"),
        ("filters: [\"drop uid=0\"]", "invalid filters 'drop uid=0' in FILE: 'drop' is neither include nor exclude; allowed: \(allowed)"),
        ("filters: [\"exclude uid 0\"]", "invalid filters 'exclude uid 0' in FILE: no '=' between the kind and the value; allowed: \(allowed)"),
        ("filters: [\"exclude uid=-1\"]", "invalid filters 'exclude uid=-1' in FILE: not a uid (a number from 0 to 4294967294; names are not resolved); allowed: \(allowed)"),
        ("filters: [\"exclude uid=4294967295\"]", "invalid filters 'exclude uid=4294967295' in FILE: not a uid (a number from 0 to 4294967294; names are not resolved); allowed: \(allowed)"),
        ("filters: [\"exclude uid=root\"]", "invalid filters 'exclude uid=root' in FILE: not a uid (a number from 0 to 4294967294; names are not resolved); allowed: \(allowed)"),
        ("filters: [\"exclude uid=99999999999999999999\"]", "invalid filters 'exclude uid=99999999999999999999' in FILE: not a uid (a number from 0 to 4294967294; names are not resolved); allowed: \(allowed)"),
        ("filters: [\"exclude comm=\"]", "invalid filters 'exclude comm=' in FILE: an empty comm; allowed: \(allowed)"),
        ("filters: [\"exclude comm=systemd-journald\"]", "invalid filters 'exclude comm=systemd-journald' in FILE: longer than 15 bytes, and the kernel keeps only a command name's first 15 ('systemd-journal'); allowed: \(allowed)"),
        ("filters: [\"exclude comm=a\\0b\"]", "invalid filters 'exclude comm=a\\x00b' in FILE: a NUL byte in the comm; allowed: \(allowed)"),
        ("filters: [\"exclude unit=system.slice/cron.service\"]", "invalid filters 'exclude unit=system.slice/cron.service' in FILE: not a cgroup directory name (a unit such as nginx.service; no '/'); allowed: \(allowed)"),
        ("filters: [\"include unit=..\"]", "invalid filters 'include unit=..' in FILE: not a cgroup directory name (a unit such as nginx.service; no '/'); allowed: \(allowed)"),
        ("filters: [\"include unit=\(String(repeating: "u", count: 256))\"]", "invalid filters 'include unit=\(String(repeating: "u", count: 67))…' in FILE: longer than 255 bytes; allowed: \(allowed)"),
        ("filters: [\"include uid=7\", \"exclude uid=07\"]", "invalid filters 'exclude uid=07' in FILE: uid 7 is both included and excluded; allowed: \(allowed)"),
        ("filters: [\"failed-only please\"]", "invalid filters 'failed-only please' in FILE: 'failed-only' is neither include nor exclude; allowed: \(allowed)"),
        // A line break in an item stays one line in the message.
        ("filters: [\"exclude comm=a\\nb\"]", "invalid filters 'exclude comm=a\\nb' in FILE: a control character in the comm; allowed: \(allowed)"),
    ]

    @Test("Each bad item is refused with one line naming the key, the item and what is allowed", arguments: badFiles)
    func badFile(text: String, message: String) throws {
        guard case .failure(let error) = try ConfigurationLoaderTests.load(text) else {
            Issue.record("accepted \(text.debugDescription)")
            return
        }
        #expect(error.description.replacingOccurrences(of: #"/[^ ]*/fileopend\.yaml"#, with: "FILE", options: .regularExpression)
            == message)
        #expect(!error.description.contains("\n"))
    }

    @Test("Oversized and hostile lists: too many rules, a huge item, every byte value — refused or read, never a crash")
    func hostile() throws {
        let many = (0...OpenFilters.maximumRules).map { "exclude uid=\($0)" }
        #expect(throws: OpenFilters.ParseError(rule: "\(many.count) rules", problem: "more than 1024 rules")) {
            try OpenFilters(parsing: many)
        }
        #expect(try OpenFilters(parsing: Array(many.dropLast()) + ["failed-only"]).rules.count == 1024)
        let huge = "exclude comm=" + String(repeating: "x", count: 1 << 20)
        #expect(throws: OpenFilters.ParseError(rule: huge, problem: "longer than 300 bytes")) { try OpenFilters(parsing: [huge]) }
        var overrides = ConfigurationOverrides()
        overrides.filters = [huge]
        guard case .failure(let error) = try ConfigurationLoaderTests.load("", overrides: overrides) else {
            Issue.record("a 1 MiB item was accepted")
            return
        }
        #expect(error.description.count < 400 && error.description.contains("from --filter: longer than 300 bytes"))
        // Every single byte as a comm: read (a 1-byte comm) or refused with a ParseError.
        for byte in UInt8(1)...UInt8(127) {
            let item = "include comm=" + String(decoding: [byte], as: UTF8.self)
            if let filters = try? OpenFilters(parsing: [item]) { #expect(filters.rules.count == 1) }
        }
        // Invalid UTF-8 from a variable arrives as replacement characters: a 3-byte comm.
        #expect(try OpenFilters(parsing: ["exclude comm=\u{FFFD}"]).rules.first?.value == "\u{FFFD}")
    }
}

/// The filters on reload: handed to the probe alone (the aggregator's bounds are not touched), and
/// kept as they were when the probe refuses them.
@Suite("Configuration reload: filters")
struct FilterReloadTests {
    static func reloader(
        _ path: String, refusal: String?, applied: Recorded<OpenFilters>, aggregator: Recorded<AggregatorSettings>
    ) throws -> (ConfigurationReloader, RecordingLogHandler.Store) {
        let inputs = ConfigurationInputs(path: path)
        let (logger, log) = RecordingLogHandler.logger()
        let reloader = ConfigurationReloader(
            inputs: inputs, running: try ConfigurationLoader.load(inputs).configuration, logLevel: LogLevelControl(.info),
            logger: logger, applyAggregatorSettings: { aggregator.append($0) },
            applyFilters: { applied.append($0); return refusal }
        )
        return (reloader, log)
    }

    @Test("A change of filters goes to the probe, and the log names it; a refused one keeps the old filters")
    func live() throws {
        for refusal in [nil, "filter_units: bpf_map_update_elem failed: E2BIG"] {
            let directory = try TestEnvironment.makeScratchDirectory("reload")
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("fileopend.yaml").path
            try Data("filters: [\"exclude uid=0\"]\n".utf8).write(to: URL(fileURLWithPath: path))
            let (applied, aggregator) = (Recorded<OpenFilters>(), Recorded<AggregatorSettings>())
            let (reloader, log) = try Self.reloader(path, refusal: refusal, applied: applied, aggregator: aggregator)
            try Data("filters: [failed-only]\n".utf8).write(to: URL(fileURLWithPath: path))
            #expect(reloader.reload())
            #expect(applied.all.map(\.items) == [["failed-only"]])
            #expect(aggregator.all.isEmpty, "the aggregator's bounds did not change")
            let messages = log.messages.map(\.message)
            if let refusal {
                #expect(reloader.current.filters.items == ["exclude uid=0"])
                #expect(messages.contains("filters stay [\"exclude uid=0\"]: \(refusal)"), "\(messages)")
                #expect(messages.contains { $0.hasSuffix("no live setting changed") }, "\(messages)")
            } else {
                #expect(reloader.current.filters.items == ["failed-only"])
                #expect(messages.contains { $0.hasSuffix("changed filters [\"exclude uid=0\"] -> [\"failed-only\"]") }, "\(messages)")
            }
        }
    }
}
