import CTestSupport
import FileOpenTestSupport
import Foundation
import Testing

/// A process that opens a path (and carries a comm) full of what a terminal acts on: C1 CSI
/// (U+009B), a right-to-left override (U+202E), a line separator (U+2028), ESC, and a byte that
/// is not UTF-8. Whatever shows it to a person — `fileopend --print`, `fileopenctl tail`, `top`,
/// `proc` — must show it escaped, by the one `TerminalText.escaped`, so it cannot act.
@Suite(
    "Hostile names reach a terminal escaped",
    .serialized,
    .enabled(if: TestEnvironment.canRunKernelTests, Comment(rawValue: TestEnvironment.kernelTestsSkipReason))
)
struct TerminalSafetyTests {
    /// The part of the path after its unique ASCII prefix, as bytes: CSI 31m, RLO, "gpj.exe", LS,
    /// ESC [2J, and 0xFF.
    static let hostileBytes: [UInt8] = [0xC2, 0x9B] + Array("31m".utf8) + [0xE2, 0x80, 0xAE] + Array("gpj.exe".utf8)
        + [0xE2, 0x80, 0xA8, 0x1B] + Array("[2J".utf8) + [0xFF]
    /// How people must see those bytes: the invalid byte became the text `\xff` when the daemon
    /// decoded the path, and its backslash is doubled on the way to the terminal.
    static let hostileShown = #"\u{9B}31m\u{202E}gpj.exe\u{2028}\x1b[2J\\xff"#
    /// A comm of 12 bytes (the kernel keeps 15): ESC, CSI and RLO between letters.
    static let comm = "fo\u{1b}c\u{9b}x\u{202e}y"
    static let commShown = #"fo\x1bc\u{9B}x\u{202E}y"#

    /// A unique ASCII prefix for this test's paths.
    static func prefix(_ tag: String) -> String {
        "/tmp/fo-e2e-\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))-"
    }

    /// Forks a child named `comm` that opens `prefix` + `hostileBytes` (ENOENT) `count` times, and reaps it.
    static func runHostileOpener(prefix: String, count: Int = 3) -> Int32 {
        let path = (Array(prefix.utf8) + hostileBytes).map { CChar(bitPattern: $0) } + [0]
        let name = Array(comm.utf8CString)
        let child = path.withUnsafeBufferPointer { path in
            name.withUnsafeBufferPointer { cts_spawn_opener($0.baseAddress, CTS_OPENAT, path.baseAddress, O_RDONLY, count) }
        }
        var status: Int32 = 0
        waitpid(child, &status, 0)
        return child
    }

    /// Whether `text` holds anything a terminal would act on: C0 controls but the line break,
    /// DEL, C1 controls, bidirectional controls, line and paragraph separators.
    static func actsOnTerminal(_ text: some StringProtocol) -> Bool {
        text.unicodeScalars.contains { scalar in
            let value = scalar.value
            return (value < 0x20 && value != 0x0A) || (0x7F...0x9F).contains(value) || value == 0x061C
                || value == 0x200E || value == 0x200F || (0x2028...0x202E).contains(value) || (0x2066...0x2069).contains(value)
        }
    }

    @Test("fileopend --print: the line shows the path and comm escaped; --json carries them exactly")
    func printMode() throws {
        TestEnvironment.ensureTracefs()
        let prefix = Self.prefix("print")
        for json in [false, true] {
            let daemon = try DaemonProcess("fileopend", ["--print"] + (json ? ["--json"] : []) + DaemonProcess.isolatedArguments())
            defer { daemon.stop() }
            #expect(TestEnvironment.waitUntil { daemon.errorOutput.contains("attached in ") }, "\(daemon.errorOutput)")
            let child = Self.runHostileOpener(prefix: prefix)
            #expect(TestEnvironment.waitUntil { daemon.outputLines.filter { $0.contains(prefix) }.count == 3 })
            daemon.signal(SIGTERM)
            #expect(daemon.waitForExit() == 0)
            let mine = daemon.outputLines.filter { $0.contains(prefix) }
            #expect(mine.count == 3)
            for line in mine {
                if json {
                    let object = try QuerySocketClient.object(String(line))
                    #expect(object["comm"] as? String == Self.comm)
                    #expect(object["path"] as? String
                        == prefix + "\u{9b}31m\u{202e}gpj.exe\u{2028}\u{1b}[2J\\xff")
                    #expect(object["pid"] as? Int == Int(child))
                    // JSON escapes what it must; the rest is for the program reading it.
                    #expect(!line.contains("\u{1b}"))
                } else {
                    let columns = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                    #expect(columns == [String(child), String(child), Self.commShown, "-1", "2", "00000000", prefix + Self.hostileShown])
                    #expect(!Self.actsOnTerminal(line), "\(line.debugDescription)")
                }
            }
            if !json {
                #expect(!Self.actsOnTerminal(daemon.output.split(separator: "\n").filter { $0.contains(prefix) }.joined()))
            }
        }
    }

    @Test("fileopenctl tail, top and proc show the path and comm escaped")
    func fileopenctl() throws {
        let daemon = try QuerySocketTests.Daemon()
        defer { daemon.stop() }
        let ctl = DaemonProcess.binDirectory.appendingPathComponent("fileopenctl").path
        let prefix = Self.prefix("ctl")
        let tail = try DaemonProcess(ctl, ["--socket", daemon.socketPath, "tail", "--path-prefix", prefix])
        defer { tail.stop() }
        #expect(TestEnvironment.waitUntil { tail.outputLines.first?.hasPrefix("PID") == true })
        let pid = Self.runHostileOpener(prefix: prefix)
        #expect(TestEnvironment.waitUntil { tail.outputLines.count == 4 }, "\(tail.output)")
        tail.signal(SIGINT)
        #expect(tail.waitForExit() == 0)
        for line in tail.outputLines.dropFirst() {
            let columns = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            #expect(columns == [String(pid), String(pid), Self.commShown, "-1", "2", prefix + Self.hostileShown])
        }
        #expect(!Self.actsOnTerminal(tail.output), "\(tail.output.debugDescription)")

        let run = { (arguments: [String]) throws -> CommandResult in
            try CommandResult.run(ctl, ["--socket", daemon.socketPath] + arguments)
        }
        #expect(TestEnvironment.waitUntil { (try? run(["proc", String(pid)]))?.status == 0 })
        let top = try run(["top", "--comm", Self.comm])
        #expect(top.status == 0)
        #expect(top.output.contains("\(pid)  \(Self.commShown)  "), "\(top.output.debugDescription)")
        #expect(!Self.actsOnTerminal(top.output), "\(top.output.debugDescription)")
        let proc = try run(["proc", String(pid)])
        #expect(proc.status == 0)
        #expect(proc.output.contains("comm        \(Self.commShown)\n"), "\(proc.output.debugDescription)")
        #expect(proc.output.contains("    3  \(prefix)\(Self.hostileShown)\n"), "\(proc.output.debugDescription)")
        #expect(!Self.actsOnTerminal(proc.output), "\(proc.output.debugDescription)")
    }
}
