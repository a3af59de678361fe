import FileOpenTestSupport
import Foundation
import Testing

/// The unit files in systemd/, checked by the real systemd-analyze: `verify` accepts every unit,
/// and `security --offline` rates the service 2.5 or lower (docs/service.md quotes the figure).
@Suite("systemd units")
struct SystemdUnitTests {
    static let unitNames = ["fileopend.service", "fileopend.socket", "fileopend-query.socket"]

    /// The repository's systemd/ directory (this file is Tests/EndToEndTests/…).
    static var unitDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("systemd")
    }

    /// Copies of the units in a scratch directory, ExecStart pointing at the built daemon:
    /// `verify` checks that the command exists, and /usr/sbin/fileopend is only there once installed.
    static func stagedUnits() throws -> URL {
        let staged = try TestEnvironment.makeScratchDirectory("units")
        let daemon = ChildProcess.binDirectory.appendingPathComponent("fileopend").path
        for name in unitNames {
            let text = try String(contentsOf: unitDirectory.appendingPathComponent(name), encoding: .utf8)
            try text.replacingOccurrences(of: "/usr/sbin/fileopend", with: daemon)
                .write(to: staged.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return staged
    }

    @Test("systemd-analyze verify passes on every unit")
    func verify() throws {
        let staged = try Self.stagedUnits()
        defer { try? FileManager.default.removeItem(at: staged) }
        let paths = Self.unitNames.map { staged.appendingPathComponent($0).path }
        let result = try CommandResult.run("/usr/bin/systemd-analyze", ["verify"] + paths)
        #expect(result.status == 0, "\(result.output)\(result.errorOutput)")
        #expect(result.errorOutput.isEmpty, "systemd-analyze verify complained: \(result.errorOutput)")
    }

    @Test("systemd-analyze security rates the service 2.5 or lower")
    func securityRating() throws {
        let staged = try Self.stagedUnits()
        defer { try? FileManager.default.removeItem(at: staged) }
        let service = staged.appendingPathComponent("fileopend.service").path
        // --threshold is on the 0-100 scale: 25 is the 2.5 shown.
        let result = try CommandResult.run(
            "/usr/bin/systemd-analyze", ["security", "--offline=true", "--threshold=25", "--no-pager", service]
        )
        let summary = result.output.split(separator: "\n").last { $0.contains("Overall exposure level") }
        let figure = try #require(summary.flatMap { line in
            line.split(separator: " ").compactMap { Double($0) }.first
        }, "no exposure level in: \(result.output)\(result.errorOutput)")
        #expect(result.status == 0, "\(result.output)")
        #expect(figure <= 2.5, "exposure level \(figure) is above 2.5")
        // docs/service.md quotes the measured figure.
        let readme = try String(
            contentsOf: Self.unitDirectory.deletingLastPathComponent().appendingPathComponent("docs/service.md"), encoding: .utf8)
        let quoted = readme.contains("exposure level \(String(format: "%.1f", figure))")
        #expect(quoted, "docs/service.md does not quote the exposure level \(figure)")
    }

    @Test("the service keeps the settings BPF needs and the hardening it can have")
    func serviceSettings() throws {
        let text = try String(contentsOf: Self.unitDirectory.appendingPathComponent("fileopend.service"), encoding: .utf8)
        let lines = Set(text.split(separator: "\n").map(String.init))
        for required in [
            "Type=notify", "User=fileopend", "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes",
            "PrivateTmp=yes", "RuntimeDirectory=fileopend", "Restart=on-failure", "ExecReload=/bin/sh -c 'kill -HUP $MAINPID'", "SystemCallFilter=bpf @chown setpriority",
            "AmbientCapabilities=CAP_BPF CAP_PERFMON CAP_DAC_READ_SEARCH",
            "SystemCallFilter=@system-service bpf perf_event_open",
        ] {
            #expect(lines.contains(required), "fileopend.service lacks \(required)")
        }
        #expect(lines.contains { $0.hasPrefix("WatchdogSec=") })
        #expect(!lines.contains { $0.hasPrefix("PrivateUsers=") }, "PrivateUsers= makes the capabilities useless")
    }
}
