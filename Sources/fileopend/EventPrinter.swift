import FileOpenCore
import FileOpenSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Writes records to standard output as text or JSON lines, one write per batch. Used only from
/// the consumer thread. When the reader goes away (EPIPE), it stops writing and calls `onClosed`.
final class EventPrinter: Sendable {
    private let json: Bool
    private let onClosed: @Sendable () -> Void

    init(json: Bool, onClosed: @escaping @Sendable () -> Void) {
        self.json = json
        self.onClosed = onClosed
        if !json { write(Array((EventLineFormatter.textHeader() + "\n").utf8)) }
    }

    func print(_ batch: [ProbeRecord]) {
        var bytes: [UInt8] = []
        for record in batch {
            if json {
                EventLineFormatter.appendJSONLine(record, to: &bytes)
            } else if let line = EventLineFormatter.textLine(record) {
                bytes += line.utf8
                bytes.append(0x0A)
            }
        }
        if !bytes.isEmpty { write(bytes) }
    }

    private func write(_ bytes: [UInt8]) {
        if DescriptorWriter.writeAll(bytes, to: STDOUT_FILENO) != nil { onClosed() }
    }
}
