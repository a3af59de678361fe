/// Renders the aggregator's own figures (tracked processes and comms, caps, evictions, opens
/// counted from the kernel's missed maps) from the scrape's snapshot, so they agree with the
/// per-process series rendered from the same snapshot; and the scrape's duration, written last.
/// Every loss stage is exported from the start, at 0.
public enum AggregatorMetricsRenderer {
    public static func render(_ aggregator: Aggregator, into writer: inout ExpositionWriter) {
        writer.family(
            "fileopen_missed_opens", .counter,
            help: "Opens counted from the kernel's missed maps because their records were dropped."
        )
        writer.sample(aggregator.statistics.missedOpens)
        writer.family("fileopen_tracked_processes", .gauge, help: "Processes with counters of their own (exited ones in retention included).")
        writer.sample(UInt64(aggregator.processes.count))
        writer.family("fileopen_tracked_process_limit", .gauge, help: "The cap on tracked processes.")
        writer.sample(UInt64(aggregator.settings.maxProcesses))
        writer.family("fileopen_tracked_comms", .gauge, help: "Command names with totals of their own.")
        writer.sample(UInt64(aggregator.comms.count))
        writer.family("fileopen_known_cgroups", .gauge, help: "v2 cgroups known by id (removed ones not yet attributed included).")
        writer.sample(UInt64(aggregator.cgroups.count))
        writer.family(
            "fileopen_cgroups_forgotten", .counter,
            help: "Removed cgroups forgotten once every open made in them was attributed."
        )
        writer.sample(aggregator.statistics.forgottenCgroups)
        writer.family("fileopen_tracked_units", .gauge, help: "Units with totals of their own ([other] and [unknown] aside).")
        writer.sample(UInt64(aggregator.units.namedCount))
        writer.family("fileopen_tracked_unit_limit", .gauge, help: "The cap on units with totals of their own.")
        writer.sample(UInt64(aggregator.settings.maxUnits))
        writer.family(
            "fileopen_unit_overflow_opens", .counter,
            help: "Opens counted under unit=\"[other]\" because the cap on units was reached."
        )
        writer.sample(aggregator.statistics.overflowedUnitOpens)
        writer.family(
            "fileopen_processes_evicted", .counter,
            help: "Processes folded into the pid=\"other\" bucket because the cap was reached."
        )
        writer.sample(aggregator.statistics.evictedProcesses)
        writer.family("fileopen_processes_expired", .counter, help: "Exited processes removed after the retention window.")
        writer.sample(aggregator.statistics.expiredProcesses)
        writer.family(
            "fileopen_comm_overflow_opens", .counter,
            help: "Opens counted under comm=\"[other]\" because the cap on command names was reached."
        )
        writer.sample(aggregator.statistics.overflowedCommOpens)
        writer.family(
            "fileopen_top_paths_processes", .gauge,
            help: "Tracked processes that keep top paths (the most recently active ones)."
        )
        writer.sample(UInt64(aggregator.processes.topPathsProcessCount))
        writer.family("fileopen_top_paths_process_limit", .gauge, help: "The cap on processes that keep top paths.")
        writer.sample(UInt64(max(0, aggregator.settings.maxTopPathsProcesses)))
        writer.family(
            "fileopen_top_paths_dropped", .counter,
            help: "Processes whose top paths were dropped to make room for more recently active ones."
        )
        writer.sample(aggregator.statistics.droppedTopPaths)
    }

    /// The time this scrape took up to here; written last, just before `finish()`.
    public static func renderScrapeDuration(_ duration: Duration, into writer: inout ExpositionWriter) {
        let (seconds, attoseconds) = duration.components
        writer.family("fileopen_scrape_duration_seconds", .gauge, help: "Time spent rendering this response.")
        writer.sample(Double(seconds) + Double(attoseconds) / 1e18)
    }
}
