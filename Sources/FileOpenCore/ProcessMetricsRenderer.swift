/// Renders the aggregator's counters: the per-process families (pid and comm labels; exited
/// processes until their retention ends; the `other` bucket for evicted ones), and the per-comm
/// and per-unit families (`UnitMetricsRenderer`), which never go backwards.
///
/// Series that would be zero are left out of the detail families (errors, access modes,
/// creates) to keep a scrape small; `opens` is always there for every process and comm.
public enum ProcessMetricsRenderer {
    /// The `pid` label of the bucket that holds processes evicted over the cap.
    public static let otherPID = "other"

    public static func render(_ aggregator: Aggregator, into writer: inout ExpositionWriter) {
        // One pass over the dictionary: each process's escaped labels go into one shared buffer
        // and its counters into a flat array, so the four families below neither walk the
        // dictionary again (copying every process each time) nor re-escape a comm.
        var labels = ExpositionWriter(
            format: writer.format, reservingCapacity: aggregator.processes.count * 40, bufferAdvice: writer.bufferAdvice)
        var rows: [Row] = []
        rows.reserveCapacity(aggregator.processes.count)
        let comms = aggregator.comms
        aggregator.processes.all.withUnsafeBufferPointer { processes in
            // Field by field through the buffer: copying whole processes would retain (and so
            // touch) every process's top-paths storage, a cache miss each, for nothing.
            for position in processes.indices {
                let start = labels.bytes.count
                let comm = comms.comm(at: processes[position].commPosition, else: processes[position].commBytes)
                labels.appendProcessLabels(pid: processes[position].identity.pid, comm: comm)
                rows.append(Row(labels: start..<labels.bytes.count, counters: processes[position].counters))
            }
        }
        labels.bytes.withUnsafeBufferPointer { labels in
            renderProcesses(rows, labels: labels, aggregator.other, into: &writer)
        }
        renderComms(aggregator.comms, into: &writer)
        UnitMetricsRenderer.render(aggregator.units, into: &writer)
    }

    /// One tracked process as the per-process families need it.
    private struct Row {
        /// Its `{pid="…",comm="…"` in the shared label buffer.
        var labels: Range<Int>
        var counters: OpenCounters
    }

    private static func renderProcesses(
        _ rows: [Row], labels: UnsafeBufferPointer<UInt8>, _ other: OpenCounters, into writer: inout ExpositionWriter
    ) {
        func of(_ row: Row) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: labels[row.labels]) }

        writer.family("fileopen_process_opens", .counter, help: "File open attempts by a process, failed ones included.")
        for row in rows {
            writer.processSample(labels: of(row), row.counters.opens)
        }
        writer.sample(["pid": otherPID, "comm": AggregatorSettings.otherComm], other.opens)

        writer.family(
            "fileopen_process_open_errors", .counter, help: "Failed file open attempts by a process, by errno."
        )
        for row in rows {
            for error in row.counters.errors {
                writer.processSample(labels: of(row), extra: ("errno", error.name), error.count)
            }
        }
        for error in other.errors {
            writer.sample(["pid": otherPID, "comm": AggregatorSettings.otherComm, "errno": error.name], error.count)
        }

        writer.family(
            "fileopen_process_opens_by_access", .counter,
            help: "File open attempts by a process, by access mode (read, write, read_write)."
        )
        for row in rows {
            let counters = row.counters
            if counters.reads > 0 { writer.processSample(labels: of(row), extra: ("access", "read"), counters.reads) }
            if counters.writes > 0 { writer.processSample(labels: of(row), extra: ("access", "write"), counters.writes) }
            if counters.readWrites > 0 {
                writer.processSample(labels: of(row), extra: ("access", "read_write"), counters.readWrites)
            }
        }
        accessSamples(pid: otherPID, comm: AggregatorSettings.otherComm, other, into: &writer)

        writer.family(
            "fileopen_process_opens_with_create", .counter, help: "File open attempts by a process with O_CREAT."
        )
        for row in rows where row.counters.creates > 0 {
            writer.processSample(labels: of(row), row.counters.creates)
        }
        if other.creates > 0 {
            writer.sample(["pid": otherPID, "comm": AggregatorSettings.otherComm], other.creates)
        }
    }

    private static func renderComms(_ comms: CommTable, into writer: inout ExpositionWriter) {
        writer.family(
            "fileopen_opens", .counter,
            help: "File open attempts by command name (comm), failed ones included, over the daemon's lifetime."
        )
        for entry in comms.all {
            writer.sample(["comm": entry.comm], entry.counters.opens)
        }
        writer.family("fileopen_open_errors", .counter, help: "Failed file open attempts by command name, by errno.")
        for entry in comms.all {
            for error in entry.counters.errors {
                writer.sample(["comm": entry.comm, "errno": error.name], error.count)
            }
        }
        writer.family(
            "fileopen_opens_by_access", .counter, help: "File open attempts by command name, by access mode."
        )
        for entry in comms.all {
            let (comm, counters) = (entry.comm, entry.counters)
            if counters.reads > 0 { writer.sample(["comm": comm, "access": "read"], counters.reads) }
            if counters.writes > 0 { writer.sample(["comm": comm, "access": "write"], counters.writes) }
            if counters.readWrites > 0 { writer.sample(["comm": comm, "access": "read_write"], counters.readWrites) }
        }
        writer.family("fileopen_opens_with_create", .counter, help: "File open attempts by command name with O_CREAT.")
        for entry in comms.all where entry.counters.creates > 0 {
            writer.sample(["comm": entry.comm], entry.counters.creates)
        }
    }

    private static func accessSamples(
        pid: String, comm: String, _ counters: OpenCounters, into writer: inout ExpositionWriter
    ) {
        if counters.reads > 0 { writer.sample(["pid": pid, "comm": comm, "access": "read"], counters.reads) }
        if counters.writes > 0 { writer.sample(["pid": pid, "comm": comm, "access": "write"], counters.writes) }
        if counters.readWrites > 0 {
            writer.sample(["pid": pid, "comm": comm, "access": "read_write"], counters.readWrites)
        }
    }
}
