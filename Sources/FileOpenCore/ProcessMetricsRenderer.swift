/// Renders the aggregator's counters: the per-process families (pid and comm labels; exited
/// processes until their retention ends; the `other` bucket for evicted ones) and the per-comm
/// families, which never go backwards.
///
/// Series that would be zero are left out of the detail families (errors, access modes,
/// creates) to keep a scrape small; `opens` is always there for every process and comm.
public enum ProcessMetricsRenderer {
    /// The `pid` label of the bucket that holds processes evicted over the cap.
    public static let otherPID = "other"

    public static func render(_ aggregator: Aggregator, into writer: inout ExpositionWriter) {
        let processes = aggregator.processes.values
        writer.family("fileopen_process_opens", .counter, help: "File open attempts by a process, failed ones included.")
        for process in processes {
            writer.processSample(pid: process.identity.pid, comm: process.comm, process.counters.opens)
        }
        writer.sample(["pid": otherPID, "comm": AggregatorSettings.otherComm], aggregator.other.opens)

        writer.family(
            "fileopen_process_open_errors", .counter, help: "Failed file open attempts by a process, by errno."
        )
        for process in processes {
            for error in process.counters.errors {
                writer.processSample(
                    pid: process.identity.pid, comm: process.comm, extra: ("errno", error.name), error.count
                )
            }
        }
        for error in aggregator.other.errors {
            writer.sample(["pid": otherPID, "comm": AggregatorSettings.otherComm, "errno": error.name], error.count)
        }

        writer.family(
            "fileopen_process_opens_by_access", .counter,
            help: "File open attempts by a process, by access mode (read, write, read_write)."
        )
        for process in processes {
            let (pid, comm, counters) = (process.identity.pid, process.comm, process.counters)
            if counters.reads > 0 { writer.processSample(pid: pid, comm: comm, extra: ("access", "read"), counters.reads) }
            if counters.writes > 0 { writer.processSample(pid: pid, comm: comm, extra: ("access", "write"), counters.writes) }
            if counters.readWrites > 0 {
                writer.processSample(pid: pid, comm: comm, extra: ("access", "read_write"), counters.readWrites)
            }
        }
        accessSamples(pid: otherPID, comm: AggregatorSettings.otherComm, aggregator.other, into: &writer)

        writer.family(
            "fileopen_process_opens_with_create", .counter, help: "File open attempts by a process with O_CREAT."
        )
        for process in processes where process.counters.creates > 0 {
            writer.processSample(pid: process.identity.pid, comm: process.comm, process.counters.creates)
        }
        if aggregator.other.creates > 0 {
            writer.sample(["pid": otherPID, "comm": AggregatorSettings.otherComm], aggregator.other.creates)
        }

        renderComms(aggregator.comms, into: &writer)
    }

    private static func renderComms(_ comms: [String: OpenCounters], into writer: inout ExpositionWriter) {
        writer.family(
            "fileopen_opens", .counter,
            help: "File open attempts by command name (comm), failed ones included, over the daemon's lifetime."
        )
        for (comm, counters) in comms {
            writer.sample(["comm": comm], counters.opens)
        }
        writer.family("fileopen_open_errors", .counter, help: "Failed file open attempts by command name, by errno.")
        for (comm, counters) in comms {
            for error in counters.errors {
                writer.sample(["comm": comm, "errno": error.name], error.count)
            }
        }
        writer.family(
            "fileopen_opens_by_access", .counter, help: "File open attempts by command name, by access mode."
        )
        for (comm, counters) in comms {
            if counters.reads > 0 { writer.sample(["comm": comm, "access": "read"], counters.reads) }
            if counters.writes > 0 { writer.sample(["comm": comm, "access": "write"], counters.writes) }
            if counters.readWrites > 0 { writer.sample(["comm": comm, "access": "read_write"], counters.readWrites) }
        }
        writer.family("fileopen_opens_with_create", .counter, help: "File open attempts by command name with O_CREAT.")
        for (comm, counters) in comms where counters.creates > 0 {
            writer.sample(["comm": comm], counters.creates)
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
