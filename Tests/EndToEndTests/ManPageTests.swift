import FileOpenTestSupport
import Foundation
import Testing

/// The hand-written man pages (man/) keep up with the binaries and the configuration: every option
/// `--help` lists, every fileopenctl command and every key of config/fileopend.yaml is in its page.
/// (That they render without a groff warning is scripts/check-man-pages, in `make test`.)
@Suite("Man pages: every option, command and key is documented")
struct ManPageTests {
    static let packageDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A page's text with roff's escaped hyphens made plain (`\-\-mode` → `--mode`).
    static func page(_ name: String) throws -> String {
        try String(contentsOf: packageDirectory.appendingPathComponent("man/\(name)"), encoding: .utf8)
            .replacingOccurrences(of: #"\-"#, with: "-")
    }

    /// The long options a `--help` text lists (`  --listen <address>   Address …` → `--listen`): the
    /// words before the description, which starts after two spaces.
    static func options(inHelp help: String) -> Set<String> {
        var options: Set<String> = []
        for line in help.split(separator: "\n") where line.hasPrefix("  -") {
            let names = line.dropFirst(2).components(separatedBy: "  ")[0]
            for word in names.split(separator: " ") where word.hasPrefix("--") {
                options.insert(String(word.trimmingCharacters(in: CharacterSet(charactersIn: ","))))
            }
        }
        return options.subtracting(["--help"])
    }

    static func help(_ executable: String, _ arguments: [String]) throws -> String {
        let result = try CommandResult.run(ChildProcess.binDirectory.appendingPathComponent(executable).path, arguments)
        #expect(result.status == 0, "\(executable) \(arguments): \(result.errorOutput)")
        return result.output
    }

    @Test("fileopend(8) names every option of fileopend --help")
    func daemonOptions() throws {
        let page = try Self.page("fileopend.8")
        let options = Self.options(inHelp: try Self.help("fileopend", ["--help"]))
        #expect(options.count >= 15, "\(options)")
        for option in options.sorted() {
            #expect(page.contains(".BI \(option) ") || page.contains(".B \(option)\n"), "fileopend.8 lacks \(option)")
        }
    }

    @Test("fileopenctl(1) has every command and every option of each command's --help")
    func clientCommands() throws {
        let page = try Self.page("fileopenctl.1")
        for command in ["status", "top", "proc", "tail", "reset"] {
            #expect(page.contains(".SS \(command)"), "fileopenctl.1 lacks the command \(command)")
            for option in Self.options(inHelp: try Self.help("fileopenctl", [command, "--help"])) {
                #expect(page.contains(option), "fileopenctl.1 lacks \(command) \(option)")
            }
        }
    }

    @Test("fileopend.yaml(5) describes every key of config/fileopend.yaml")
    func configurationKeys() throws {
        let page = try Self.page("fileopend.yaml.5")
        let file = try String(
            contentsOf: Self.packageDirectory.appendingPathComponent("config/fileopend.yaml"), encoding: .utf8)
        let keys = file.split(separator: "\n").compactMap { line -> String? in
            guard let first = line.first, first.isLetter, let colon = line.firstIndex(of: ":") else { return nil }
            return String(line[..<colon])
        }
        #expect(keys.count >= 14, "\(keys)")
        for key in keys {
            #expect(page.contains(".B \(key)\n") || page.contains(".BR \(key) \" (live)\"\n"), "fileopend.yaml.5 lacks \(key)")
        }
    }
}
