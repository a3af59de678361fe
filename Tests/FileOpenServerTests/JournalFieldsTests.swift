import FileOpenServer
import Logging
import Testing

/// The journal entry built for a swift-log record (journald itself is not exercised here).
@Suite("journal fields")
struct JournalFieldsTests {
    @Test("message, priority, identifier, code location and upper-cased metadata, in order")
    func fields() {
        let fields = JournalFields(
            identifier: "fileopend", label: "fileopend", level: .warning, message: "open refused",
            metadata: ["errno": "13", "pid": "4242", "comm": "cat"], file: "Sources/fileopend/X.swift",
            function: "run()", line: 17
        )
        #expect(fields.fields.map(\.name) == [
            "MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "CODE_FILE", "CODE_LINE", "CODE_FUNC", "LOGGER",
            "COMM", "ERRNO", "PID",
        ])
        #expect(fields.fields.map(\.value) == [
            "open refused", "4", "fileopend", "Sources/fileopend/X.swift", "17", "run()", "fileopend", "cat", "13", "4242",
        ])
        #expect(fields.assignments.first == Array("MESSAGE=open refused".utf8))
    }

    @Test("syslog priorities for every level")
    func priorities() {
        let levels: [Logger.Level] = [.trace, .debug, .info, .notice, .warning, .error, .critical]
        #expect(levels.map(JournalFields.priority(of:)) == [7, 7, 6, 5, 4, 3, 2])
    }

    @Test("metadata keys become valid field names; reserved names are not overridden")
    func fieldNames() {
        #expect(JournalFields.fieldName("errno") == "ERRNO")
        #expect(JournalFields.fieldName("source-file.name") == "SOURCE_FILE_NAME")
        #expect(JournalFields.fieldName("_pid") == "PID")
        #expect(JournalFields.fieldName("9lives") == "LIVES")
        #expect(JournalFields.fieldName("__") == nil)
        #expect(JournalFields.fieldName(String(repeating: "k", count: 100))?.count == 64)
        let fields = JournalFields(
            identifier: "fileopend", label: "l", level: .info, message: "m", metadata: ["message": "x", "priority": "0"],
            file: "f", function: "g", line: 1
        )
        #expect(fields.fields.filter { $0.name == "MESSAGE" }.map(\.value) == ["m"])
        #expect(fields.fields.suffix(2).map(\.name) == ["META_MESSAGE", "META_PRIORITY"])
    }

    @Test("multi-line messages and structured values are kept whole")
    func values() {
        let fields = JournalFields(
            identifier: "fileopend", label: "l", level: .error, message: "line one\nline two",
            metadata: ["programs": ["a", "b"]], file: "f", function: "g", line: 1
        )
        #expect(fields.fields[0].value == "line one\nline two")
        #expect(fields.fields.last?.name == "PROGRAMS")
        #expect(fields.fields.last?.value == #"["a", "b"]"#)
    }

    @Test("JOURNAL_STREAM is DEVICE:INODE in decimal")
    func journalStream() {
        #expect(JournalStream.parse("8:12345")! == (8, 12345))
        #expect(JournalStream.parse("8:") == nil)
        #expect(JournalStream.parse("x:1") == nil)
        #expect(JournalStream.parse("1:2:3") == nil)
        // The test's standard error is not the journal's stream unless the variable names it.
        #expect(!JournalStream.isConnected(descriptor: -1))
    }
}
