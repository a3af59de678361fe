/// Renders the daemon's self-metrics. Every loss stage is exported from the start, at 0: an
/// absent series is not a zero, and hiding activity by flooding is what these counters expose.
public enum DaemonMetricsRenderer {
    /// HTTP status codes always exported, even before the first such response.
    static let alwaysExportedStatuses = [200, 400, 404, 405, 413, 431, 503]

    public static func render(_ daemon: DaemonMetrics, _ aggregator: Aggregator, into writer: inout ExpositionWriter) {
        writer.family("fileopen_build", .info, help: "fileopend's version and the libbpf it runs on.")
        writer.sample(["version": daemon.version, "libbpf_version": daemon.libbpfVersion], UInt64(1))
        writer.family("fileopen_attach_mode", .info, help: "How the BPF program hooks file opens.")
        writer.sample(["mode": daemon.attachMode.rawValue], UInt64(1))
        writer.family(
            "fileopen_detail_level", .info,
            help: "What the BPF program reports per open: events (a record each) or counts (counted in the kernel)."
        )
        writer.sample(["level": daemon.detailLevel.rawValue], UInt64(1))

        writer.family("fileopen_records_received", .counter, help: "Ring buffer records delivered, by kind.")
        writer.sample(["kind": "open"], daemon.openRecords)
        writer.sample(["kind": "exit"], daemon.exitRecords)
        writer.sample(["kind": "cgroup"], daemon.cgroupRecords)
        writer.family("fileopen_records_undecodable", .counter, help: "Ring buffer records that did not decode (skipped).")
        writer.sample(daemon.undecodableRecords)
        writer.family(
            "fileopen_drops", .counter,
            help: "Records the BPF program could not deliver, by reason; dropped opens still count per process."
        )
        for reason in DropReason.allCases {
            writer.sample(["reason": reason.description], daemon.drops[reason])
        }
        writer.family(
            "fileopen_missed_opens", .counter,
            help: "Opens counted from the kernel's missed maps because their records were dropped."
        )
        writer.sample(aggregator.statistics.missedOpens)
        writer.family(
            "fileopen_missed_map_entries", .gauge,
            help: "Entries in the kernel's missed maps at the last maintenance pass (a process or comm with lost records, plus one per errno)."
        )
        writer.sample(["map": "missed"], UInt64(daemon.missedMapEntries))
        writer.sample(["map": "missed_comms"], UInt64(daemon.missedCommMapEntries))
        writer.family("fileopen_missed_map_capacity", .gauge, help: "The most entries each missed map holds.")
        writer.sample(["map": "missed"], UInt64(daemon.missedMapCapacity))
        writer.sample(["map": "missed_comms"], UInt64(daemon.missedCommMapCapacity))
        writer.family(
            "fileopen_exits_found_by_liveness_check", .counter,
            help: "Tracked processes found gone by the liveness check because their exit record and kernel mark were both lost."
        )
        writer.sample(daemon.exitsFoundByLivenessCheck)
        writer.family("fileopen_consumer_drains", .counter, help: "Drain passes of the ring buffer consumer thread.")
        writer.sample(daemon.consumerDrains)

        writer.family("fileopen_ring_buffer_size_bytes", .gauge, help: "Size of the BPF ring buffer.")
        writer.sample(UInt64(daemon.ringBufferBytes))
        writer.family("fileopen_ring_buffer_pending_bytes", .gauge, help: "Bytes written to the ring buffer, not yet consumed.")
        writer.sample(UInt64(daemon.ringBufferPendingBytes))

        writer.family("fileopen_tracked_processes", .gauge, help: "Processes with counters of their own (exited ones in retention included).")
        writer.sample(UInt64(aggregator.processes.count))
        writer.family("fileopen_tracked_process_limit", .gauge, help: "The cap on tracked processes.")
        writer.sample(UInt64(aggregator.settings.maxProcesses))
        writer.family("fileopen_tracked_comms", .gauge, help: "Command names with totals of their own.")
        writer.sample(UInt64(aggregator.comms.count))
        writer.family(
            "fileopen_cgroup_hierarchy", .info,
            help: "How the host mounts cgroups (unified, hybrid, legacy) and where the v2 hierarchy opens are attributed by is."
        )
        writer.sample(["mode": daemon.cgroupMode, "mount": daemon.cgroupMount], UInt64(1))
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

        renderHTTP(daemon.http, into: &writer)
        renderQuery(daemon.query, into: &writer)
        if let process = daemon.process { renderProcess(process, into: &writer) }
    }

    /// The time this scrape took up to here; written last, just before `finish()`.
    public static func renderScrapeDuration(_ duration: Duration, into writer: inout ExpositionWriter) {
        let (seconds, attoseconds) = duration.components
        writer.family("fileopen_scrape_duration_seconds", .gauge, help: "Time spent rendering this response.")
        writer.sample(Double(seconds) + Double(attoseconds) / 1e18)
    }

    private static func renderHTTP(_ http: DaemonMetrics.HTTPCounters, into writer: inout ExpositionWriter) {
        writer.family("fileopen_http_requests", .counter, help: "HTTP requests answered, by status code.")
        let statuses = Set(alwaysExportedStatuses).union(http.requestsByStatus.keys).sorted()
        for status in statuses {
            writer.sample(["code": String(status)], http.requestsByStatus[status, default: 0])
        }
        writer.family("fileopen_http_connections_accepted", .counter, help: "HTTP connections accepted.")
        writer.sample(http.connectionsAccepted)
        writer.family("fileopen_http_connections", .gauge, help: "HTTP connections held now.")
        writer.sample(UInt64(http.connections))
        writer.family(
            "fileopen_http_connection_limit", .gauge, help: "The cap on HTTP connections held (from RLIMIT_NOFILE).")
        writer.sample(UInt64(http.connectionLimit))
        writer.family(
            "fileopen_http_connections_refused", .counter,
            help: "HTTP connections refused with 503 at the connection cap (every one held had a request in service)."
        )
        writer.sample(http.connectionsRefused)
        writer.family(
            "fileopen_http_connections_evicted", .counter,
            help: "HTTP connections closed at the connection cap to admit a new one (the longest-waiting without a request)."
        )
        writer.sample(http.connectionsEvicted)
        writer.family(
            "fileopen_http_requests_refused", .counter, help: "HTTP requests answered 503 past the cap on requests in service."
        )
        writer.sample(http.requestsRefused)
        writer.family(
            "fileopen_http_timeouts", .counter,
            help: "HTTP connections closed for a slow or idle client: head (request head), idle, write (response)."
        )
        writer.sample(["kind": "head"], http.headTimeouts)
        writer.sample(["kind": "idle"], http.idleTimeouts)
        writer.sample(["kind": "write"], http.writeTimeouts)
        writer.family(
            "fileopen_http_responses_shed", .counter,
            help: "HTTP responses abandoned because the bytes held for slow readers passed their budget."
        )
        writer.sample(http.responsesShed)
        writer.family(
            "fileopen_http_client_disconnects", .counter, help: "HTTP clients that went away before their response was sent."
        )
        writer.sample(http.clientDisconnects)
    }

    private static func renderQuery(_ query: DaemonMetrics.QueryCounters, into writer: inout ExpositionWriter) {
        writer.family("fileopen_query_clients", .gauge, help: "Clients connected to the query socket.")
        writer.sample(UInt64(query.clientsConnected))
        writer.family(
            "fileopen_query_client_limit", .gauge, help: "The cap on query socket clients held (from RLIMIT_NOFILE).")
        writer.sample(UInt64(query.clientLimit))
        writer.family("fileopen_query_tail_clients", .gauge, help: "Query socket clients streaming with tail.")
        writer.sample(UInt64(query.clientsTailing))
        writer.family("fileopen_query_requests", .counter, help: "Requests answered on the query socket.")
        writer.sample(query.requests)
        writer.family("fileopen_query_errors", .counter, help: "Query socket requests answered with an error.")
        writer.sample(query.errors)
        writer.family(
            "fileopen_query_connections_refused", .counter,
            help: "Query socket connections refused (busy) at the cap (every one held was in service or streaming)."
        )
        writer.sample(query.connectionsRefused)
        writer.family(
            "fileopen_query_connections_evicted", .counter,
            help: "Query socket connections closed at the cap to admit a new one (the longest-waiting without a request)."
        )
        writer.sample(query.connectionsEvicted)
        writer.family(
            "fileopen_query_requests_refused", .counter,
            help: "Query requests answered busy past the cap on requests in service or on tail streams."
        )
        writer.sample(query.requestsRefused)
        writer.family(
            "fileopen_query_timeouts", .counter,
            help: "Query socket connections closed for a slow or idle client: idle (no complete line), write (reply)."
        )
        writer.sample(["kind": "idle"], query.idleTimeouts)
        writer.sample(["kind": "write"], query.writeTimeouts)
        writer.family(
            "fileopen_query_replies_shed", .counter,
            help: "Query replies abandoned because the bytes held for slow readers passed their budget."
        )
        writer.sample(query.repliesShed)
        writer.family(
            "fileopen_tail_dropped_events", .counter,
            help: "Events a slow tail reader had no room for (each reader is told how many it missed)."
        )
        writer.sample(query.tailDroppedEvents)
    }

    private static func renderProcess(_ process: DaemonMetrics.ProcessUsage, into writer: inout ExpositionWriter) {
        writer.family("process_cpu_seconds", .counter, help: "Total user and system CPU time spent in seconds.")
        writer.sample(process.cpuSeconds)
        writer.family("process_resident_memory_bytes", .gauge, help: "Resident memory size in bytes.")
        writer.sample(process.residentBytes)
        writer.family("process_virtual_memory_bytes", .gauge, help: "Virtual memory size in bytes.")
        writer.sample(process.virtualBytes)
        writer.family("process_open_fds", .gauge, help: "Number of open file descriptors.")
        writer.sample(process.openFileDescriptors)
        writer.family("process_max_fds", .gauge, help: "Maximum number of open file descriptors.")
        writer.sample(process.maxFileDescriptors)
        writer.family("process_start_time_seconds", .gauge, help: "Start time of the process since unix epoch in seconds.")
        writer.sample(process.startTimeSeconds)
    }
}
