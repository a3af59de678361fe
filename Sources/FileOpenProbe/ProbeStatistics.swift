public import FileOpenCore

/// The probe's figures: how it is attached, what the kernel program could not deliver, and how
/// full its ring buffer is. `writeMetrics(into:)` is where each becomes a metric, and
/// `FileOpenProgram.statistics` (below) where each is read.
public struct ProbeStatistics: ComponentStatistics, Equatable {
    /// The attach mode in use (never `auto` once attached).
    public var mode: AttachMode = .auto
    public var detailLevel: DetailLevel = .events
    /// The filters in force, and the opens the kernel filtered out by reason (nil: unreadable).
    public var filters = OpenFilters()
    public var filtered: [OpenFilters.Reason: UInt64]?
    /// The kernel program's drop counters; nil when they could not be read.
    public var drops: DropCounts?
    public var ringBufferBytes = 0
    /// Bytes written to the ring and not yet consumed.
    public var ringBufferPendingBytes = 0
    /// The most entries the kernel's missed maps (`missed`, `missed_comms`) hold.
    public var missedMapCapacity = 0
    public var missedCommMapCapacity = 0
    /// The ways of opening the attached programs see.
    public var coveredAPIs: Set<OpenAPI> = [.syscall]
    /// Opens by io_uring and by open_by_handle_at, as the kernel counted them; nil when unread.
    public var apiOpens: [OpenAPI: OpenAPICounts]?

    public init() {}

    public func writeMetrics(into writer: inout ExpositionWriter) {
        writer.family("fileopen_attach_mode", .info, help: "How the BPF program hooks file opens.")
        writer.sample(["mode": mode.rawValue], UInt64(1))
        writer.family(
            "fileopen_detail_level", .info,
            help: "What the BPF program reports per open: events (a record each) or counts (counted in the kernel)."
        )
        writer.sample(["level": detailLevel.rawValue], UInt64(1))
        writer.family(
            "fileopen_filter", .info,
            help: "A filter in force in the BPF program, one sample per rule as written (none: every open is reported)."
        )
        for item in filters.items { writer.sample(["filter": item], UInt64(1)) }
        writer.family(
            "fileopen_filtered_opens", .counter,
            help: "Opens the BPF program filtered out (in no other family), by the kind of filter that excluded them."
        )
        for reason in OpenFilters.Reason.allCases {
            writer.sample(["kind": reason.description], filtered?[reason] ?? 0)
        }
        writer.family(
            "fileopen_drops", .counter,
            help: "Records the BPF program could not deliver, by reason; dropped opens still count per process."
        )
        let drops = drops ?? DropCounts()
        for reason in DropReason.allCases {
            writer.sample(["reason": reason.description], drops[reason])
        }
        writer.family(
            "fileopen_open_api_covered", .gauge,
            help: "1 if the attach mode in use sees opens made this way (syscall, io_uring, open_by_handle_at), else 0."
        )
        for api in OpenAPI.allCases {
            writer.sample(["api": api.rawValue], UInt64(coveredAPIs.contains(api) ? 1 : 0))
        }
        writer.family(
            "fileopen_opens_by_api", .counter,
            help: "Opens submitted through io_uring or made by open_by_handle_at, by result, as the kernel counted them."
        )
        for api in [OpenAPI.ioUring, .openByHandleAt] {
            let counts = apiOpens?[api] ?? OpenAPICounts()
            writer.sample(["api": api.rawValue, "result": "success"], counts.opens - counts.failed)
            writer.sample(["api": api.rawValue, "result": "failure"], counts.failed)
        }
        writer.family("fileopen_missed_map_capacity", .gauge, help: "The most entries each missed map holds.")
        writer.sample(["map": "missed"], UInt64(missedMapCapacity))
        writer.sample(["map": "missed_comms"], UInt64(missedCommMapCapacity))
        writer.family("fileopen_ring_buffer_size_bytes", .gauge, help: "Size of the BPF ring buffer.")
        writer.sample(UInt64(ringBufferBytes))
        writer.family("fileopen_ring_buffer_pending_bytes", .gauge, help: "Bytes written to the ring buffer, not yet consumed.")
        writer.sample(UInt64(ringBufferPendingBytes))
    }
}

extension FileOpenProgram {
    /// The probe's figures now (the drop counters read from the kernel, nil if that fails).
    public var statistics: ProbeStatistics {
        var statistics = ProbeStatistics()
        statistics.mode = mode
        statistics.detailLevel = detailLevel
        statistics.filters = filters
        statistics.filtered = try? filteredCounts()
        statistics.drops = try? dropCounts()
        statistics.coveredAPIs = coveredAPIs
        statistics.apiOpens = try? apiOpenCounts()
        statistics.ringBufferBytes = ringBuffer.capacity
        statistics.ringBufferPendingBytes = ringBuffer.pendingBytes
        statistics.missedMapCapacity = settings.missedMapCapacity
        statistics.missedCommMapCapacity = settings.missedCommMapCapacity
        return statistics
    }
}
