import FileOpenCore
import FileOpenProbe
import FileOpenServer

extension StatusReport {
    /// The `status` reply, read from the components' statistics (`ComponentGroup.figures()`) and
    /// a snapshot of the counters.
    init(figures: DaemonFigures, aggregator: Aggregator, kernelRelease: String, uptime: Duration) {
        let probe = figures[ProbeStatistics.self] ?? ProbeStatistics()
        let consumer = figures[FileOpenConsumer.Statistics.self] ?? FileOpenConsumer.Statistics()
        let maintenance = figures[Maintenance.Statistics.self] ?? Maintenance.Statistics()
        let query = figures[QueryServerStatistics.self] ?? QueryServerStatistics()
        let tail = figures[TailHub.Statistics.self] ?? TailHub.Statistics()
        let hierarchy = figures[CgroupHierarchy.self] ?? CgroupHierarchy(mode: .legacy, mountPoint: nil)
        let drops = probe.drops ?? DropCounts()
        let (seconds, attoseconds) = uptime.components
        self.init(
            daemonVersion: figures[BuildInfo.self]?.version ?? FileOpenVersion.current,
            kernelRelease: kernelRelease,
            attachMode: probe.mode.rawValue,
            detailLevel: probe.detailLevel,
            uptimeSeconds: Double(seconds) + Double(attoseconds) / 1e18,
            records: Records(open: consumer.opens, exit: consumer.exits, undecodable: consumer.undecodable),
            drops: Dictionary(uniqueKeysWithValues: DropReason.allCases.map { ($0.description, drops[$0]) }),
            missedOpens: aggregator.statistics.missedOpens,
            missedMaps: [
                "missed": MapFill(entries: maintenance.missedMapEntries, capacity: probe.missedMapCapacity),
                "missed_comms": MapFill(entries: maintenance.missedCommMapEntries, capacity: probe.missedCommMapCapacity),
            ],
            ringBuffer: RingBuffer(sizeBytes: probe.ringBufferBytes, pendingBytes: probe.ringBufferPendingBytes),
            trackedProcesses: aggregator.processes.count,
            trackedComms: aggregator.comms.count,
            clients: Clients(connected: query.connected, tailing: tail.subscribers, tailDroppedEvents: tail.droppedEvents),
            cgroups: Cgroups(
                mode: hierarchy.mode.rawValue, mount: hierarchy.mountPoint ?? "", known: aggregator.cgroups.count,
                units: aggregator.units.namedCount, unitLimit: aggregator.settings.maxUnits
            ),
            apis: Dictionary(uniqueKeysWithValues: OpenAPI.allCases.map { api in
                let counts = probe.apiOpens?[api]
                return (api.rawValue, OpenAPIStatus(
                    covered: probe.coveredAPIs.contains(api), opens: counts?.opens, failed: counts?.failed
                ))
            }),
            filters: Filters(
                rules: probe.filters.items,
                filteredOpens: Dictionary(uniqueKeysWithValues: OpenFilters.Reason.allCases.map {
                    ($0.description, probe.filtered?[$0] ?? 0)
                })
            )
        )
    }
}
