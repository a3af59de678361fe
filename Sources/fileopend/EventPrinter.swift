import FileOpenCore
import Foundation

/// Writes records to standard output as text or JSON lines, one write per batch. Used only from
/// the consumer thread. When the reader goes away (EPIPE), it stops writing and calls `onClosed`.
final class EventPrinter: Sendable {
    private let json: Bool
    private let onClosed: @Sendable () -> Void

    init(json: Bool, onClosed: @escaping @Sendable () -> Void) {
        self.json = json
        self.onClosed = onClosed
        if !json { write(EventLineFormatter.textHeader + "\n") }
    }

    func print(_ batch: [ProbeRecord]) {
        var text = ""
        for record in batch {
            if json {
                text += EventLineFormatter.jsonLine(record)
                text += "\n"
            } else if let line = EventLineFormatter.textLine(record) {
                text += line
                text += "\n"
            }
        }
        if !text.isEmpty { write(text) }
    }

    private func write(_ text: String) {
        do {
            try FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
        } catch {
            onClosed()
        }
    }
}
