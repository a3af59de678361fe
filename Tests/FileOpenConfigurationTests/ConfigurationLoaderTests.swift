import FileOpenConfiguration
import FileOpenCore
import FileOpenTestSupport
import Foundation
import Logging
import Testing

/// The file, the environment and the flags merged into one configuration: precedence, the shipped
/// file, and a table of bad input where each refusal is one line naming the key, the value, where it
/// came from and what is allowed.
@Suite("Configuration: file, environment, flags")
struct ConfigurationLoaderTests {
    /// Writes `text` to a fresh file and loads it with `environment` and `overrides`.
    static func load(
        _ text: String, environment: [String: String] = [:], overrides: ConfigurationOverrides = ConfigurationOverrides()
    ) throws -> Result<LoadedConfiguration, ConfigurationError> {
        let directory = try TestEnvironment.makeScratchDirectory("config")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("fileopend.yaml").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return Result { () throws(ConfigurationError) in
            try ConfigurationLoader.load(ConfigurationInputs(path: path, environment: environment, overrides: overrides))
        }
    }

    /// The repository's config/fileopend.yaml.
    static var shippedFile: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/fileopend.yaml").path
    }

    @Test("config/fileopend.yaml lists every key, each with the built-in default and a comment")
    func shippedFileIsTheDefaults() throws {
        let loaded = try ConfigurationLoader.load(ConfigurationInputs(path: Self.shippedFile))
        var expected = DaemonConfiguration()
        expected.sources = loaded.configuration.sources
        #expect(loaded.configuration == expected)
        #expect(loaded.filePath == Self.shippedFile)
        let text = try String(contentsOfFile: Self.shippedFile, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for key in ConfigurationKey.allCases {
            #expect(loaded.configuration.sources[key] == .file(Self.shippedFile), "\(key) is not in the file")
            let index = try #require(lines.firstIndex { $0.hasPrefix("\(key.rawValue): ") })
            #expect(index > 0 && lines[index - 1].hasPrefix("# "), "\(key) has no comment line above it")
            #expect(lines[index - 1].contains(key.flag), "\(key)'s comment does not name \(key.flag)")
            #expect(lines[index - 1].contains("[live]") == key.isLive, "\(key)'s [live] mark is wrong")
        }
    }

    @Test("No file at the default path means the defaults; a missing --config file is an error")
    func missingFile() throws {
        let absent = "/nonexistent-\(UUID().uuidString)/fileopend.yaml"
        var inputs = ConfigurationInputs(path: absent)
        inputs.pathIsExplicit = false
        let loaded = try ConfigurationLoader.load(inputs)
        #expect(loaded.filePath == nil)
        #expect(loaded.configuration == DaemonConfiguration())
        #expect(throws: ConfigurationError.unreadableFile(path: absent, reason: "No such file or directory")) {
            try ConfigurationLoader.load(ConfigurationInputs(path: absent))
        }
    }

    @Test("A flag beats a variable, a variable beats the file, the file beats the default")
    func precedence() throws {
        var overrides = ConfigurationOverrides()
        overrides.flags[.retention] = "7"
        let environment = [
            "FILEOPEND_RETENTION": "8", "FILEOPEND_MAX_PROCESSES": "9", "FILEOPEND_LISTEN": "[::1]:1,127.0.0.1:2",
            "FILEOPEND_BIN_DIR": "/not/a/setting",
        ]
        let file = "retention: 1\nmax_processes: 2\nmax_comms: 3\nlog_level: debug\n"
        let configuration = try Self.load(file, environment: environment, overrides: overrides).get().configuration
        #expect(configuration.retention == 7)
        #expect(configuration.sources[.retention] == .flag("--retention"))
        #expect(configuration.maxProcesses == 9)
        #expect(configuration.sources[.maxProcesses] == .environment("FILEOPEND_MAX_PROCESSES"))
        #expect(configuration.listen.map(\.description) == ["[::1]:1", "127.0.0.1:2"])
        #expect(configuration.maxComms == 3)
        #expect(configuration.logLevel == .debug)
        #expect(configuration.rateWindow == 10)
        #expect(configuration.sources[.rateWindow] == nil)
        #expect(configuration.rendered().contains("retention: 7  # flag --retention"))
    }

    @Test("A bad value is refused even where a flag overrides it: it would surface on the next start")
    func overriddenBadValue() throws {
        var overrides = ConfigurationOverrides()
        overrides.flags[.retention] = "7"
        guard case .failure(let error) = try Self.load("retention: soon", overrides: overrides) else {
            Issue.record("a bad file value behind a flag was accepted")
            return
        }
        #expect(error.description.hasPrefix("invalid retention 'soon' in "))
    }

    @Test("An empty file, or one of comments only, is the defaults")
    func emptyFile() throws {
        for text in ["", "# nothing\n\n", "---\n"] {
            #expect(try Self.load(text).get().configuration == DaemonConfiguration())
        }
    }

    static let hookFunctionAllowed =
        "a kernel function name of at most 127 bytes (letters, digits, '_', '.'; not starting with a digit or '.')"

    /// Bad files: the message (after "fileopend: ") with the file's path written as FILE.
    static let badFiles: [(text: String, message: String)] = [
        ("retention: abc", "invalid retention 'abc' in FILE: not a whole number; allowed: 0 to 31536000 (seconds)"),
        ("retention: 1.5", "invalid retention '1.5' in FILE: not a whole number; allowed: 0 to 31536000 (seconds)"),
        ("retention:", "invalid retention '' in FILE: empty where a whole number belongs; allowed: 0 to 31536000 (seconds)"),
        ("retention: {a: 1}", "invalid retention '{a: 1}' in FILE: a mapping where a whole number belongs; allowed: 0 to 31536000 (seconds)"),
        ("retention: -1", "invalid retention '-1' in FILE: out of range; allowed: 0 to 31536000 (seconds)"),
        ("retension: 10", "unknown key 'retension' in FILE (did you mean 'retention'?)"),
        ("max_processes: 0", "invalid max_processes '0' in FILE: out of range; allowed: 1 to 10000000"),
        ("drain_interval: 99999999999999999999", "invalid drain_interval '99999999999999999999' in FILE: not a whole number; allowed: 1 to 1000 (milliseconds)"),
        ("ring_buffer_size: 5000", "invalid ring_buffer_size '5000' in FILE: not a power of two; allowed: a power of two from 4096 to 1073741824 (bytes)"),
        ("ring_buffer_size: 2147483648", "invalid ring_buffer_size '2147483648' in FILE: out of range; allowed: a power of two from 4096 to 1073741824 (bytes)"),
        ("attach_mode: fast", "invalid attach_mode 'fast' in FILE: no such attach mode; allowed: auto, fentry, kprobe or tracepoint"),
        ("hook_function: 9lives", "invalid hook_function '9lives' in FILE: not a kernel function name; allowed: \(hookFunctionAllowed)"),
        ("hook_function: do_sys_open; rm", "invalid hook_function 'do_sys_open; rm' in FILE: not a kernel function name; allowed: \(hookFunctionAllowed)"),
        ("hook_function: .isra", "invalid hook_function '.isra' in FILE: not a kernel function name; allowed: \(hookFunctionAllowed)"),
        ("hook_function: ''", "invalid hook_function '' in FILE: not a kernel function name; allowed: \(hookFunctionAllowed)"),
        ("hook_function: f\(String(repeating: "x", count: 127))", "invalid hook_function 'f\(String(repeating: "x", count: 79))…' in FILE: too long; allowed: \(hookFunctionAllowed)"),
        ("log_level: loud", "invalid log_level 'loud' in FILE: no such log level; allowed: trace, debug, info, notice, warning, error or critical"),
        ("socket: rel/x.sock", "invalid socket 'rel/x.sock' in FILE: not an absolute path; allowed: an absolute path of at most 107 bytes"),
        ("socket_group: '-x'", "invalid socket_group '-x' in FILE: not a group name; allowed: a group name (letters, digits, '.', '_', '-')"),
        ("listen: 127.0.0.1:9469", "invalid listen '127.0.0.1:9469' in FILE: a single value where a list belongs; allowed: a list of IPv4:PORT or [IPv6]:PORT addresses, e.g. [\"127.0.0.1:9469\", \"[::1]:9469\"]"),
        ("listen: []", "invalid listen '[]' in FILE: an empty list; allowed: a list of IPv4:PORT or [IPv6]:PORT addresses, e.g. [\"127.0.0.1:9469\", \"[::1]:9469\"]"),
        ("a: [1", "malformed YAML in FILE at line 2, column 1: did not find expected ',' or ']' (while parsing a flow sequence at line 1)"),
        ("- 1", "FILE must be a mapping of 'key: value' lines, not a list"),
        ("retention: 1\nretention: 2", "duplicate key 'retention' in FILE"),
        // A multi-line value stays one line in the message (found by the fuzz target).
        ("listen: [\"a:1\n\n  b\"]", "invalid listen 'a:1\\nb' in FILE: the port must be a number from 0 to 65535; allowed: a list of IPv4:PORT or [IPv6]:PORT addresses, e.g. [\"127.0.0.1:9469\", \"[::1]:9469\"]"),
        ("retention: \(String(repeating: "x", count: 200))", "invalid retention '\(String(repeating: "x", count: 80))…' in FILE: not a whole number; allowed: 0 to 31536000 (seconds)"),
    ]

    @Test("Each bad file is refused with one line naming the key, the value and what is allowed", arguments: badFiles)
    func badFile(text: String, message: String) throws {
        let directory = try TestEnvironment.makeScratchDirectory("config")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("fileopend.yaml").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        do {
            let loaded = try ConfigurationLoader.load(ConfigurationInputs(path: path))
            Issue.record("accepted \(text.debugDescription): \(loaded.configuration.rendered())")
        } catch {
            #expect(error.description == message.replacingOccurrences(of: "FILE", with: path))
            #expect(!error.description.contains("\n"))
        }
    }

    @Test("Hostile files: binary, not UTF-8, huge, deeply nested — refused, never a crash")
    func hostileFiles() throws {
        let cases: [(bytes: [UInt8], mentions: String)] = [
            ([0xFF, 0xFE, 0x00, 0x41], "not UTF-8 text"),
            (Array("retention: \(String(repeating: "9", count: 100_000))".utf8), "invalid retention"),
            (Array(String(repeating: "[", count: 10_000).utf8), "malformed YAML"),
            (Array(String(repeating: "k: 1\n", count: 10_000).utf8), "key 'k'"),
        ]
        for (bytes, mentions) in cases {
            let directory = try TestEnvironment.makeScratchDirectory("config")
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("fileopend.yaml").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            #expect {
                try ConfigurationLoader.load(ConfigurationInputs(path: path))
            } throws: { error in
                (error as? ConfigurationError)?.description.contains(mentions) == true
            }
        }
    }

    @Test("YAML anchors and aliases read as what they stand for; a quoted number is text, refused")
    func yamlFeatures() throws {
        let configuration = try Self.load("retention: &a 1\nmax_comms: *a\n").get().configuration
        #expect(configuration.retention == 1 && configuration.maxComms == 1)
        guard case .failure(let error) = try Self.load("max_processes: \"5\"") else {
            Issue.record("a quoted number was accepted")
            return
        }
        #expect(error.description.hasSuffix("quoted text where a whole number belongs; allowed: 1 to 10000000"))
    }

    @Test("Bad environment variables and flags name their source")
    func badEnvironmentAndFlags() throws {
        /// The refusal's message, nil if the configuration was accepted.
        func refusal(_ environment: [String: String], _ overrides: ConfigurationOverrides = ConfigurationOverrides()) throws -> String? {
            guard case .failure(let error) = try Self.load("rate_window: 5", environment: environment, overrides: overrides) else {
                return nil
            }
            return error.description
        }
        #expect(try refusal(["FILEOPEND_RETENTON": "5"])
            == "unknown environment variable FILEOPEND_RETENTON (did you mean FILEOPEND_RETENTION?)")
        #expect(try refusal(["FILEOPEND_RETENTION": "x"])
            == "invalid retention 'x' in environment variable FILEOPEND_RETENTION: not a whole number; allowed: 0 to 31536000 (seconds)")
        var overrides = ConfigurationOverrides()
        overrides.flags[.rateWindow] = "0"
        #expect(try refusal([:], overrides) == "invalid rate_window '0' from --rate-window: out of range; allowed: 1 to 3600 (seconds)")
        // A flag's text is checked as the file's would be: not a number, out of Int's range, not a mode.
        overrides = ConfigurationOverrides()
        overrides.flags[.retention] = "soon"
        #expect(try refusal([:], overrides)
            == "invalid retention 'soon' from --retention: not a whole number; allowed: 0 to 31536000 (seconds)")
        overrides.flags = [.ringBufferSize: "99999999999999999999"]
        #expect(try refusal([:], overrides)?.hasPrefix(
            "invalid ring_buffer_size '99999999999999999999' from --ring-buffer-size: not a whole number") == true)
        overrides.flags = [.attachMode: "fast"]
        #expect(try refusal([:], overrides)?.hasPrefix("invalid attach_mode 'fast' from --mode: no such attach mode") == true)
        overrides = ConfigurationOverrides()
        overrides.listen = ["127.0.0.1:1", "nowhere"]
        #expect(try refusal([:], overrides)?.hasPrefix("invalid listen 'nowhere' from --listen: ") == true)
        #expect(try refusal(["FILEOPEND_HOOK_FUNCTION": "a-b"])?.hasPrefix(
            "invalid hook_function 'a-b' in environment variable FILEOPEND_HOOK_FUNCTION: not a kernel function name") == true)
        var good = ConfigurationOverrides()
        good.flags = [.hookFunction: "do_sys_open", .retention: "60", .attachMode: "kprobe"]
        let configuration = try Self.load("hook_function: x", overrides: good).get().configuration
        #expect(configuration.hookFunction == "do_sys_open" && configuration.retention == 60 && configuration.attachMode == .kprobe)
        #expect(configuration.sources[.hookFunction] == .flag("--hook-function"))
    }
}
