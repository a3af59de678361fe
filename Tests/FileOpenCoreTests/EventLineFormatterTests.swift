import FileOpenCore
import Foundation
import Testing

@Suite("Event lines")
struct EventLineFormatterTests {
    static func event(comm: String = "cat", path: String = "/etc/hostname", result: Int64 = 3) -> FileOpenEvent {
        FileOpenEvent(
            timestamp: 123_456_789, process: ProcessIdentity(pid: 4242, startTime: 99), tid: 4243, uid: 1000,
            cgroupID: 7, syscall: .openat, flags: OpenFlags(rawValue: 0o2000000), mode: 0, result: result,
            comm: comm, path: path
        )
    }

    @Test("Text line: opensnoop's columns, FD -1 and ERR set for a failure")
    func textLine() {
        #expect(EventLineFormatter.textHeader() == "PID     TID     COMM              FD  ERR FLAGS    PATH")
        #expect(EventLineFormatter.textHeader(flags: false) == "PID     TID     COMM              FD  ERR PATH")
        #expect(EventLineFormatter.textLine(.open(Self.event()))
            == "4242    4243    cat                3    0 02000000 /etc/hostname")
        #expect(EventLineFormatter.textLine(.open(Self.event(result: -13)))
            == "4242    4243    cat               -1   13 02000000 /etc/hostname")
        #expect(EventLineFormatter.textLine(.open(Self.event(result: -13)), flags: false)
            == "4242    4243    cat               -1   13 /etc/hostname")
    }

    @Test("Text line: control characters in comm and path are escaped, one record stays one line")
    func textEscaping() throws {
        let line = try #require(EventLineFormatter.textLine(.open(Self.event(comm: "a\nb\\", path: "/tmp/x\ty\u{1b}[31m"))))
        #expect(!line.contains("\n") && !line.contains("\u{1b}"))
        #expect(line.hasSuffix(" /tmp/x\\ty\\x1b[31m"))
        #expect(line.contains(" a\\nb\\\\ "))
    }

    @Test("Text line: C1 controls (CSI), bidirectional overrides and line separators are escaped like C0")
    func textEscapesWhatTerminalsActOn() throws {
        let path = "/tmp/\u{9b}31m\u{202e}gpj.exe\u{2028}x\u{1b}[2J\\xff"
        let line = try #require(EventLineFormatter.textLine(.open(Self.event(comm: "\u{85}c", path: path))))
        #expect(line.hasSuffix(" /tmp/\\u{9B}31m\\u{202E}gpj.exe\\u{2028}x\\x1b[2J\\\\xff"))
        #expect(line.contains(" \\u{85}c "))
        #expect(!line.unicodeScalars.contains { $0.value < 0x20 || (0x7f...0x9f).contains($0.value) || $0 == "\u{202e}" })
    }

    @Test("Text line marks truncated and unreadable paths, io_uring opens and open_by_handle_at's missing path; exits have no text line")
    func textMarkers() {
        var truncated = Self.event()
        truncated.pathTruncated = true
        #expect(EventLineFormatter.textLine(.open(truncated))?.hasSuffix("/etc/hostname [truncated]") == true)
        var unreadable = Self.event(path: "")
        unreadable.pathUnreadable = true
        #expect(EventLineFormatter.textLine(.open(unreadable))?.hasSuffix(" [unreadable]") == true)
        var uring = Self.event()
        uring.syscall = .ioUringOpenat2
        #expect(EventLineFormatter.textLine(.open(uring))?.hasSuffix(" /etc/hostname [io_uring]") == true)
        var byHandle = Self.event(path: "")
        byHandle.syscall = .openByHandleAt
        #expect(EventLineFormatter.textLine(.open(byHandle))?.hasSuffix(" [by handle]") == true)
        let exit = ProcessExitEvent(timestamp: 1, process: ProcessIdentity(pid: 1, startTime: 2), comm: "x", exitCode: 0)
        #expect(EventLineFormatter.textLine(.exit(exit)) == nil)
    }

    @Test("JSON line: a valid object with every field, null fd and the errno name on failure")
    func jsonLine() throws {
        let line = EventLineFormatter.jsonLine(.open(Self.event(result: -2)))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["event"] as? String == "open")
        #expect(object["pid"] as? Int == 4242)
        #expect(object["tid"] as? Int == 4243)
        #expect(object["uid"] as? Int == 1000)
        #expect(object["syscall"] as? String == "openat")
        #expect(object["flags"] as? Int == 0o2000000)
        #expect(object["fd"] is NSNull)
        #expect(object["errno"] as? Int == 2)
        #expect(object["error"] as? String == "ENOENT")
        #expect(object["path"] as? String == "/etc/hostname")
        #expect(object["path_truncated"] as? Bool == false)
        #expect(object["process_start_ns"] as? Int == 99)
        #expect(object["resolved_path"] is NSNull, "not resolved: null, never an empty path")
        #expect(object["resolution"] as? String == "none")
        #expect(object["resolved_truncated"] as? Bool == false)
        #expect(object["resolved_unreachable"] as? Bool == false)
        #expect(object.count == 21)
    }

    @Test("JSON line: the resolved path, how it was resolved and its flags next to the path as passed")
    func jsonResolvedPath() throws {
        var event = Self.event(path: "../x", result: -2)
        event.resolvedPath = "/srv/x"
        event.resolution = .lexical
        event.resolvedTruncated = true
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(EventLineFormatter.jsonLine(.open(event)).utf8)) as? [String: Any])
        #expect(object["path"] as? String == "../x")
        #expect(object["resolved_path"] as? String == "/srv/x")
        #expect(object["resolution"] as? String == "lexical")
        #expect(object["resolved_truncated"] as? Bool == true)
    }

    @Test("Text line: the resolved path, then the path as passed where it differs, with what the reader must know",
          arguments: [
            (PathResolution.file, "/etc/hostname", "/etc/hostname", false, false, "/etc/hostname"),
            (.file, "./hostname", "/etc/hostname", false, false, "/etc/hostname (passed ./hostname)"),
            (.lexical, "nope", "/etc/nope", false, false, "/etc/nope [unverified] (passed nope)"),
            (.lexical, "/etc/nope", "/etc/nope", false, false, "/etc/nope"),
            (.file, "x", "/etc/x", true, false, "[truncated].../etc/x (passed x)"),
            (.file, "x", "/etc/x", false, true, "/etc/x [unreachable] (passed x)"),
            (.unresolved, "./x", "", false, false, "./x"),
          ])
    func textResolvedPath(
        resolution: PathResolution, passed: String, resolved: String, truncated: Bool, unreachable: Bool, expected: String
    ) {
        var event = Self.event(path: passed)
        event.resolution = resolution
        event.resolvedPath = resolved
        event.resolvedTruncated = truncated
        event.resolvedUnreachable = unreachable
        #expect(EventLineFormatter.pathText(event) == expected)
        #expect(EventLineFormatter.textLine(.open(event))?.hasSuffix(" " + expected) == true)
    }

    @Test("Text line: escape sequences in either path are escaped")
    func textResolvedEscaping() {
        var event = Self.event(path: "a\u{1b}[2J")
        event.resolution = .file
        event.resolvedPath = "/tmp/a\u{1b}[2J"
        #expect(EventLineFormatter.pathText(event) == "/tmp/a\\x1b[2J (passed a\\x1b[2J)")
    }

    @Test("JSON strings survive quotes, backslashes, control characters and repaired invalid UTF-8",
          arguments: ["say \"hi\"", "C:\\dir", "line\nbreak\r\t", "\u{01}\u{1f}\u{7f}", "é✓😀",
                      String(decoding: [0x66, 0xff, 0xfe, 0x6f] as [UInt8], as: UTF8.self)])
    func jsonStrings(value: String) throws {
        let line = EventLineFormatter.jsonLine(.open(Self.event(comm: value, path: value)))
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["comm"] as? String == value)
        #expect(object["path"] as? String == value)
    }

    @Test("Exit records as JSON")
    func exitJSON() throws {
        let exit = ProcessExitEvent(timestamp: 5, process: ProcessIdentity(pid: 77, startTime: 8), comm: "sh", exitCode: 256)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(EventLineFormatter.jsonLine(.exit(exit)).utf8)) as? [String: Any])
        #expect(object["event"] as? String == "exit")
        #expect(object["pid"] as? Int == 77)
        #expect(object["exit_code"] as? Int == 256)
    }
}
