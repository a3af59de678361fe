/// Counts open records into an aggregator a run of repeats at a time. A record identical to the
/// one before it in every counted field — process, comm, flags, result and path — is only
/// compared with it and added to the run; the run is counted in one step
/// (`Aggregator.countLastOpenAgain`) when a different record, an exit or the end of a batch
/// comes. Exactly what counting each record would do: the counts cannot tell the difference.
///
/// This is the case where records arrive fastest — one process opening one file in a loop, a
/// retry storm, a flood meant to hide activity — and it costs a compare of the path's bytes
/// instead of a hash of them, a pid lookup and the counting per record.
///
/// The previous record is compared where it lies, so the caller keeps each record's bytes valid
/// until the next `count` returns (`RingBuffer` hands space back a record behind). The caller
/// calls `flush` before anything else changes the aggregator, and before counting a record whose
/// predecessor's bytes may be gone (the next drain); `flush` itself reads no record bytes.
public struct OpenRunCounter {
    /// The previous record, while repeats of it can join the run.
    @usableFromInline var previous: OpenRecordView?
    /// Repeats of `previous` not counted yet.
    @usableFromInline var pending: UInt64 = 0

    public init() {}

    /// Counts `record` into `aggregator`, or adds it to the run of the records before it.
    /// Inlinable so that a repeat costs the consumer's loop no call into this module.
    @inlinable
    public mutating func count(
        _ record: OpenRecordView, into aggregator: inout Aggregator, decodePath: (UnsafeRawBufferPointer) -> String
    ) {
        if let previous, previous.repeats(record) {
            pending += 1
            self.previous = record  // the newest copy: its bytes are the ones kept valid
            return
        }
        countNew(record, into: &aggregator, decodePath: decodePath)
    }

    /// Counts a record that is no repeat, after the run before it.
    @usableFromInline
    mutating func countNew(
        _ record: OpenRecordView, into aggregator: inout Aggregator, decodePath: (UnsafeRawBufferPointer) -> String
    ) {
        flush(into: &aggregator)
        aggregator.count(record, decodePath: decodePath)
        previous = aggregator.canCountLastOpenAgain ? record : nil
    }

    /// Counts the run so far and forgets the previous record.
    public mutating func flush(into aggregator: inout Aggregator) {
        if pending > 0, let previous {
            aggregator.countLastOpenAgain(pending, timestamp: previous.timestamp)
        }
        pending = 0
        previous = nil
    }
}
