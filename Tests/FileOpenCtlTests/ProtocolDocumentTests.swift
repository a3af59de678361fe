import FileOpenCore
import FileOpenCtlKit
import Foundation
import Testing

/// The examples of docs/query-protocol.md and of docs/fileopenctl.md's query-socket section are what the
/// daemon writes: each request decodes strictly, and each reply line decodes with the schema's
/// types and encodes back to exactly its text. A field renamed in the code breaks this test
/// until the documents say so too.
@Suite("The protocol document's examples are the daemon's bytes")
struct ProtocolDocumentTests {
    static let packageDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `> request` and `< reply` lines of `file`'s example sessions, in order.
    static func session(in file: String) throws -> [(sent: Bool, line: String)] {
        let text = try String(contentsOf: packageDirectory.appendingPathComponent(file), encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            if line.hasPrefix("> {") { return (true, String(line.dropFirst(2))) }
            if line.hasPrefix("< {") { return (false, String(line.dropFirst(2))) }
            return nil
        }
    }

    /// `line` decoded as a reply to `command`, encoded again.
    static func reencoded(_ line: String, replyTo command: QueryCommand) throws -> String {
        let bytes = Array(line.utf8)
        let again: [UInt8] = switch command {
        case .status: try QueryJSON.encode(QueryJSON.decode(QueryReply.Envelope<StatusReport>.self, from: bytes))
        case .top: try QueryJSON.encode(QueryJSON.decode(QueryReply.Envelope<TopReport>.self, from: bytes))
        case .proc: try QueryJSON.encode(QueryJSON.decode(QueryReply.Envelope<ProcessReport>.self, from: bytes))
        case .reset: try QueryJSON.encode(QueryJSON.decode(QueryReply.Envelope<ResetReport>.self, from: bytes))
        case .tail: try QueryJSON.encode(QueryJSON.decode(QueryReply.Envelope<StreamingReport>.self, from: bytes))
        }
        return String(decoding: again, as: UTF8.self)
    }

    @Test("Every example request decodes (or is refused with the reply shown); every reply and stream line is the daemon's own text", arguments: [
        "docs/query-protocol.md", "docs/fileopenctl.md",
    ])
    func examples(file: String) throws {
        let session = try Self.session(in: file)
        #expect(session.count >= 10, "no example session found in \(file)")
        var command: QueryCommand?
        var refusal: QueryError?
        var streaming = false
        for (sent, line) in session {
            if sent {
                streaming = false
                do {
                    command = try QueryRequest.decode(line: Array(line.utf8)).command
                    refusal = nil
                } catch {
                    refusal = error
                }
            } else if let error = refusal {
                #expect(String(decoding: error.replyLine.dropLast(), as: UTF8.self) == line, "\(file)")
            } else if streaming {
                switch try QueryJSON.decode(TailStreamLine.self, from: Array(line.utf8)) {
                case .record(let record): #expect(EventLineFormatter.jsonLine(record) == line)
                case .dropped(let count): #expect(String(decoding: QueryReply.dropped(count).dropLast(), as: UTF8.self) == line)
                case .unknownEvent, .error: Issue.record("\(file): not an example of a tail line: \(line)")
                }
            } else {
                let command = try #require(command, "\(file): a reply before any request: \(line)")
                #expect(try Self.reencoded(line, replyTo: command) == line, "\(file)")
                streaming = command == .tail
            }
        }
    }
}
