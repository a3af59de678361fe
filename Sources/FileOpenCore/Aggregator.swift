/// Per-process and per-comm file-open counters built from the probe's records and the kernel's
/// missed-opens counts. A value type: a copy is a consistent snapshot, cheap to take (copy on
/// write), which is how a scrape reads it without holding up the consumer thread.
///
/// - A process is (tgid, start time): a reused pid is a new process and starts from zero. Only
///   the newest process of a pid is tracked — the older one has ended even if its exit record was
///   lost — so the per-process series (labelled by pid) never hold two processes at once.
/// - Per-comm totals are counted as records arrive, under the comm of the moment, so they never
///   go backwards — not when a process renames itself, exits, expires or is evicted.
/// - Exited processes stay for `settings.retention`, then leave the per-process counters. An exit
///   is learned from its record, from the kernel's mark in the missed map when the record was
///   lost, or from `markExited(_:at:)` (the daemon's liveness check when even the mark was lost).
/// - At most `settings.maxProcesses` processes: the least recently active (exited ones first) are
///   folded into `other`, and `statistics.evictedProcesses` counts them. `other` also counts what
///   arrives for a process no longer tracked and what the kernel could only charge to a comm, so
///   the per-process series always sum to the per-comm ones (until processes expire).
/// - At most `settings.maxTopPathsProcesses` of them keep top paths: a process without them gets
///   them back with its next open, and the least recently active holders lose theirs
///   (`statistics.droppedTopPaths`). Their counters are never touched.
/// - Per-unit totals: each open counts under the unit of the cgroup it was made in (`units`, by
///   `cgroups`), exactly like the per-comm ones: at most `settings.maxUnits` units, further ones
///   under `[other]`, and an open in a cgroup not known (or whose path names no unit) under
///   `[unknown]`, so the per-unit families always sum to the per-comm ones.
public struct Aggregator: Sendable {
    public var settings: AggregatorSettings {
        // A cap lowered by a reload applies at once, not at the next new process.
        didSet {
            evictOverCap(reserving: 0)
            dropTopPathsOverCap(reserving: 0)
        }
    }
    /// The tracked processes, by pid.
    public private(set) var processes = ProcessTable()
    /// Totals per comm, including every process ever seen under that comm.
    public private(set) var comms = CommTable()
    /// Counts of processes evicted over the cap.
    public private(set) var other = OpenCounters()
    /// Totals per unit, including every open ever counted.
    public private(set) var units = UnitTable()
    /// The v2 cgroups known, by id, with their units.
    public private(set) var cgroups = CgroupTable()
    /// Folds of the kernel's counts so far: a removed cgroup is forgotten two folds later.
    private var folds: UInt64 = 0
    /// The kernel's counts already folded into `units`, per process and cgroup in its map.
    private var kernelMissedByCgroup: [MissedMaps.CgroupKey: MissedOpens] = [:]
    public private(set) var statistics = AggregatorStatistics()
    /// The kernel's missed counts already folded in, per process still in the kernel's map, and
    /// whether its exit was seen (its entries go at the next fold, which counts them last).
    private var kernelMissed: [ProcessIdentity: FoldedMissed] = [:]
    /// The same per comm for the kernel's `missed_comms` map, whose entries stay.
    private var kernelMissedComms: [String: MissedOpens] = [:]
    /// Where the last open counted by `count(_:decodePath:)` went, while `countLastOpenAgain`
    /// can repeat it; nil when it counted only for a comm (a stale process, a comm over the cap).
    private var lastOpen: LastOpen?

    private struct FoldedMissed: Sendable {
        var counts: MissedOpens
        var exitSeen: Bool
    }

    private struct LastOpen: Sendable {
        var flags: OpenFlags
        var result: Int64
        /// The process's position in `processes.all`, valid while `generation` is current.
        var position: Int
        var generation: UInt64
        /// Its comm's own totals in `comms.all` (comm positions never move).
        var commPosition: Int
        /// The top-path entry that counted the path.
        var pathEntry: Int
        /// Its unit's totals in `units.all`, and whether they are `[other]`'s over the cap.
        var unitPosition: Int
        var unitOverflowed: Bool
    }

    public init(settings: AggregatorSettings = AggregatorSettings()) {
        self.settings = settings
    }

    /// The tracked process with this identity, if it is tracked.
    public func process(_ identity: ProcessIdentity) -> TrackedProcess? {
        guard let process = processes[identity.pid], process.identity == identity else { return nil }
        return process
    }

    /// Counts a batch of records in order.
    public mutating func apply(_ records: some Sequence<ProbeRecord>) {
        for record in records {
            switch record {
            case .open(let event): count(event)
            case .exit(let event): exited(event)
            }
        }
    }

    /// Learns a cgroup made (or found at start), or notes one removed: it stays known until
    /// the counts made in it have been folded in (two more folds of the kernel's counts).
    public mutating func apply(_ change: CgroupChange) {
        switch change.kind {
        case .made: cgroups.learn(change.id, path: change.path)
        case .removed: cgroups.removed(change.id, atFold: folds)
        }
    }

    /// Counts one decoded open (tests, the synthetic processes) the way the consumer counts a
    /// record in place; the comm keeps at most the kernel's 15 bytes.
    public mutating func count(_ event: FileOpenEvent) {
        var path = event.path
        var resolved = event.resolvedPath
        path.withUTF8 { bytes in
            resolved.withUTF8 { resolvedBytes in
                let record = OpenRecordView(
                    timestamp: event.timestamp, process: event.process, flags: event.flags, result: event.result,
                    comm: CommBytes(event.comm), cgroup: event.cgroupID, path: UnsafeRawBufferPointer(bytes),
                    resolved: UnsafeRawBufferPointer(resolvedBytes), resolution: event.resolution
                )
                // Named only when the path is new among the process's top paths.
                count(record, name: {
                    TopPaths.Name(
                        path: event.resolution == .unresolved ? event.path : event.resolvedPath, passed: event.path,
                        resolution: event.resolution)
                })
            }
        }
    }

    /// Counts one open read in place from the ring buffer: what the consumer thread does for
    /// nearly every record, so it decodes only what is new: the comm when it changed (or for a
    /// new process), the path when it is not among the process's top paths (`decodePath` gets
    /// the path's bytes).
    public mutating func count(_ record: OpenRecordView, decodePath: (UnsafeRawBufferPointer) -> String) {
        count(record, name: { record.pathName(decodePath) })
    }

    /// Counts one open, `name` naming its top-paths entry when it is new.
    private mutating func count(_ record: OpenRecordView, name: () -> TopPaths.Name) {
        statistics.openRecords += 1
        lastOpen = nil
        let pathHash = record.pathKey
        switch slot(for: record.process) {
        case .tracked(let position):
            let unit = unitPosition(for: record.cgroup, cachedBy: position)
            countInUnit(record, unit)
            var commPosition = Int(processes.all[position].commPosition)
            if commPosition < 0 || processes.all[position].commBytes != record.comm {
                let comm = record.comm.text
                commPosition = self.commPosition(for: comm)
                let remember = rememberable(commPosition, for: comm)
                processes.update(at: position) { process in
                    process.commBytes = record.comm
                    process.commPosition = remember
                }
            }
            comms.update(at: commPosition) { $0.count(flags: record.flags, result: record.result) }
            // A process keeps top paths exactly when it has a slot among the holders.
            let hadTopPaths = processes.all[position].topPathsSlot >= 0
            let keepingPath = hadTopPaths || admitTopPaths()
            var pathEntry = -1
            processes.update(at: position) {
                pathEntry = $0.count(record, pathHash: pathHash, keepingPath: keepingPath, decodePath: name)
            }
            if keepingPath && !hadTopPaths { processes.joinTopPathsHolders(at: position) }
            if processes.all[position].commPosition >= 0 {
                remember(record, position: position, commPosition: commPosition, pathEntry: pathEntry, unit: unit)
            }
        case .new:
            let unit = unitPosition(for: record.cgroup)
            countInUnit(record, unit)
            let comm = record.comm.text
            let commPosition = commPosition(for: comm)
            comms.update(at: commPosition) { $0.count(flags: record.flags, result: record.result) }
            var process = TrackedProcess(identity: record.process, commBytes: record.comm, seenAt: record.timestamp)
            process.commPosition = rememberable(commPosition, for: comm)
            process.moved(to: record.cgroup, unitPosition: unit.remembered ? Int32(unit.position) : -1)
            // Its exit may have been marked in the kernel already, its exit record lost, while
            // this record still sat in the ring: the mark stays known until its entry is gone.
            process.exitedAt = kernelMissed[record.process]?.counts.exitedAt
            let keepingPath = admitTopPaths()
            let pathEntry = process.count(record, pathHash: pathHash, keepingPath: keepingPath, decodePath: name)
            insert(process)
            if process.commPosition >= 0 {
                remember(
                    record, position: processes.count - 1, commPosition: commPosition, pathEntry: pathEntry, unit: unit
                )
            }
        case .stale:
            countInUnit(record, unitPosition(for: record.cgroup))
            comms.update(at: commPosition(for: record.comm.text)) { $0.count(flags: record.flags, result: record.result) }
            other.count(flags: record.flags, result: record.result)
        }
    }

    /// Counts `record` in its unit's totals.
    private mutating func countInUnit(_ record: OpenRecordView, _ unit: UnitSlot) {
        units.update(at: unit.position) { $0.count(flags: record.flags, result: record.result) }
        if unit.overflowed { statistics.overflowedUnitOpens += 1 }
    }

    /// Whether `countLastOpenAgain` can count more opens exactly like the last one counted.
    public var canCountLastOpenAgain: Bool {
        lastOpen?.generation == processes.generation
    }

    /// Counts `times` more opens identical to the last one `count(_:decodePath:)` counted — same
    /// process, comm, flags, result and path — the latest at `timestamp`: exactly what counting
    /// them one by one would do, without looking anything up again (`OpenRunCounter`).
    /// - Precondition: `canCountLastOpenAgain`.
    public mutating func countLastOpenAgain(_ times: UInt64, timestamp: UInt64) {
        guard let last = lastOpen, last.generation == processes.generation else {
            preconditionFailure("countLastOpenAgain without a last open to repeat")
        }
        statistics.openRecords += times
        comms.update(at: last.commPosition) { $0.count(flags: last.flags, result: last.result, times: times) }
        units.update(at: last.unitPosition) { $0.count(flags: last.flags, result: last.result, times: times) }
        if last.unitOverflowed { statistics.overflowedUnitOpens += times }
        processes.update(at: last.position) {
            $0.countAgain(times, flags: last.flags, result: last.result, timestamp: timestamp, pathEntry: last.pathEntry)
        }
    }

    private mutating func remember(
        _ record: OpenRecordView, position: Int, commPosition: Int, pathEntry: Int,
        unit: UnitSlot
    ) {
        lastOpen = LastOpen(
            flags: record.flags, result: record.result, position: position, generation: processes.generation,
            commPosition: commPosition, pathEntry: pathEntry, unitPosition: unit.position, unitOverflowed: unit.overflowed
        )
    }

    /// Notes a process's exit; it stays `settings.retention` longer. An exit of a process that
    /// never opened anything is not tracked (it has no counts to show).
    public mutating func exited(_ event: ProcessExitEvent) {
        statistics.exitRecords += 1
        markExited(event.process, at: event.timestamp)
    }

    /// Notes that a tracked process has exited at `timestamp` (boot-clock ns), unless already
    /// noted; returns whether it was tracked and running.
    @discardableResult
    public mutating func markExited(_ identity: ProcessIdentity, at timestamp: UInt64) -> Bool {
        guard let position = processes.position(of: identity.pid), processes.all[position].identity == identity,
              processes.all[position].exitedAt == nil else { return false }
        processes.update(at: position) { process in
            process.exitedAt = timestamp
            process.lastSeen = max(process.lastSeen, timestamp)
        }
        return true
    }

    /// Folds in a reading of the kernel's missed maps (cumulative counts). A process's exit mark
    /// notes its exit; the fold after the one that first saw the mark reads its entries a last
    /// time (nothing can change them after the exit) and returns the process: the caller then
    /// deletes its entries from the kernel map, so the map drains as processes exit.
    public mutating func foldMissed(_ missed: MissedMaps, now: UInt64) -> [ProcessIdentity] {
        var finished: [ProcessIdentity] = []
        for (identity, entry) in missed.processes {
            let folded = kernelMissed[identity] ?? FoldedMissed(counts: MissedOpens(comm: entry.comm), exitSeen: false)
            let delta = entry.since(folded.counts)
            if !delta.isEmpty {
                statistics.missedOpens += delta.opens
                comms.update(at: commPosition(for: process(identity)?.comm ?? entry.comm)) { $0.countMissed(delta) }
                switch slot(for: identity) {
                case .tracked(let position):
                    processes.update(at: position) { process in
                        process.counters.countMissed(delta)
                        process.lastSeen = max(process.lastSeen, now)
                    }
                case .new:
                    var process = TrackedProcess(identity: identity, comm: entry.comm, seenAt: entry.exitedAt ?? now)
                    process.counters.countMissed(delta)
                    insert(process)
                case .stale:
                    other.countMissed(delta)
                }
            }
            if let exitedAt = entry.exitedAt { markExited(identity, at: exitedAt) }
            // Kept until the entry is gone, so a deletion that failed is retried, never recounted.
            // An exit learned otherwise (a record, the liveness check) ends the entry as well.
            let exited = entry.exitedAt != nil || process(identity)?.hasExited == true
            kernelMissed[identity] = FoldedMissed(counts: entry, exitSeen: exited)
            if folded.exitSeen { finished.append(identity) }
        }
        // Entries gone from the kernel map (deleted after an earlier fold) need no baseline any more.
        kernelMissed = kernelMissed.filter { missed.processes[$0.key] != nil }
        // The same counts by the cgroup they were made in, for the per-unit totals.
        for (key, entry) in missed.cgroups {
            let delta = entry.since(kernelMissedByCgroup[key] ?? MissedOpens(comm: entry.comm))
            kernelMissedByCgroup[key] = entry
            guard !delta.isEmpty else { continue }
            let unit = unitPosition(for: key.cgroup)
            units.update(at: unit.position) { $0.countMissed(delta) }
            // Where it counted last, as far as the kernel's counts tell (their order is not kept).
            if let position = processes.position(of: key.process.pid), processes.all[position].identity == key.process {
                processes.update(at: position) { $0.moved(to: key.cgroup) }
            }
            if unit.overflowed { statistics.overflowedUnitOpens += delta.opens }
        }
        kernelMissedByCgroup = kernelMissedByCgroup.filter { missed.cgroups[$0.key] != nil }
        for (comm, entry) in missed.comms {
            let delta = entry.since(kernelMissedComms[comm] ?? MissedOpens(comm: comm))
            kernelMissedComms[comm] = entry
            guard !delta.isEmpty else { continue }
            statistics.missedOpens += delta.opens
            comms.update(at: commPosition(for: comm)) { $0.countMissed(delta) }
            other.countMissed(delta)
            // The kernel could keep them only per comm, without their cgroup.
            units.update(at: units.position(adding: .unknown)) { $0.countMissed(delta) }
        }
        // A cgroup is removed only once no process is left in it, so the fold after its removal
        // counts the last opens made in it; one more fold covers an open that read the cgroup
        // just before its process moved out and reached the map just after that fold.
        folds += 1
        statistics.forgottenCgroups += UInt64(cgroups.forget(removedBefore: folds - 1))
        return finished
    }

    /// Removes exited processes whose retention has passed (their comm totals stay).
    public mutating func expire(now: UInt64) {
        let retention = settings.retentionNanoseconds
        let expired = processes.removeAll { process in
            guard let exitedAt = process.exitedAt else { return false }
            return now >= exitedAt && now - exitedAt >= retention
        }
        statistics.expiredProcesses += UInt64(expired)
        evictOverCap(reserving: 0)
    }

    /// Ends the current rate window (called every `settings.rateWindow`): each process's rates
    /// become those of the window just ended.
    public mutating func rollRateWindow() {
        let (seconds, attoseconds) = settings.rateWindow.components
        let window = max(0.001, Double(seconds) + Double(attoseconds) / 1e18)
        processes.updateAll { $0.rollRateWindow(seconds: window) }
    }

    /// Zeroes the per-process query detail (top paths, rates) of every tracked process; the
    /// exported counters are untouched. Returns how many processes it reset.
    public mutating func resetDetail() -> Int {
        processes.updateAll { $0.resetDetail() }
        return processes.count
    }

    /// Where a record of `identity` goes.
    private enum Slot {
        /// The tracked process at this position of `processes.all`.
        case tracked(Int)
        /// Not tracked (any older process of its pid has just been dropped): insert it.
        case new
        /// An older process of a pid whose newer process is tracked: only comm totals count it.
        case stale
    }

    private mutating func slot(for identity: ProcessIdentity) -> Slot {
        guard let position = processes.position(of: identity.pid) else { return .new }
        let tracked = processes.all[position].identity.startTime
        if tracked == identity.startTime { return .tracked(position) }
        if identity.startTime < tracked { return .stale }
        // The pid was reused: the process tracked under it has ended.
        processes.remove(at: position)
        statistics.expiredProcesses += 1
        return .new
    }

    /// Where to count `comm`: its own totals, or `[other]`'s once the comm cap is reached.
    private mutating func commPosition(for comm: String) -> Int {
        if let position = comms.position(of: comm) { return position }
        if comms.count < settings.maxComms { return comms.position(adding: comm) }
        statistics.overflowedCommOpens += 1
        return comms.position(adding: AggregatorSettings.otherComm)
    }

    /// Where an open counts in `units`: whether it overflowed the cap (the caller counts it), and
    /// whether the position may be remembered (a unit's own totals: not `[other]`, so each such
    /// open is counted as overflowed and a cap raised by a reload gives the unit totals of its
    /// own; not `[unknown]`, so a cgroup learned later is named).
    struct UnitSlot {
        var position: Int
        var overflowed = false
        var remembered = true
    }

    /// Where an open in cgroup `id` counts: its unit's totals, `[other]`'s over the unit cap,
    /// `[unknown]`'s for a cgroup not known.
    private mutating func unitPosition(for id: UInt64) -> UnitSlot {
        guard let entry = cgroups.entry(id), let unit = entry.unit else {
            return UnitSlot(position: units.position(adding: .unknown), remembered: false)
        }
        if entry.position >= 0 { return UnitSlot(position: Int(entry.position)) }
        if let position = units.position(of: unit) {
            cgroups.remember(id, position: position)
            return UnitSlot(position: position)
        }
        if units.namedCount < settings.maxUnits {
            let position = units.position(adding: unit)
            cgroups.remember(id, position: position)
            return UnitSlot(position: position)
        }
        return UnitSlot(position: units.position(adding: .other), overflowed: true, remembered: false)
    }

    /// `unitPosition(for:)` for a record of the tracked process at `position`, which remembers
    /// the unit of its latest cgroup: a record in the same cgroup hashes nothing.
    private mutating func unitPosition(for id: UInt64, cachedBy position: Int) -> UnitSlot {
        // Field by field: a copy of the process would retain its top paths' storage per record.
        let remembered = processes.all[position].unitPosition
        if remembered >= 0 && processes.all[position].cgroup == id { return UnitSlot(position: Int(remembered)) }
        let unit = unitPosition(for: id)
        processes.update(at: position) { $0.moved(to: id, unitPosition: unit.remembered ? Int32(unit.position) : -1) }
        return unit
    }

    /// What a process may remember of `position`: only a comm's own totals (-1 otherwise), so
    /// that each open counted under `[other]` goes through `commPosition(for:)` and is counted
    /// as overflowed, and a cap raised by a reload gives the comm totals of its own.
    private func rememberable(_ position: Int, for comm: String) -> Int32 {
        comms.all[position].comm == comm ? Int32(position) : -1
    }

    /// Whether one more process may start keeping top paths; when `settings.maxTopPathsProcesses`
    /// keep them already, the least recently active lose theirs to make room.
    private mutating func admitTopPaths() -> Bool {
        dropTopPathsOverCap(reserving: 1)
        return processes.topPathsHolders.count < settings.maxTopPathsProcesses
    }

    /// Drops top paths until `reserving` more processes may keep them under the cap. When the cap
    /// is hit it drops a batch (1/16 of the cap), the least recently active first, so a stream of
    /// newly active processes costs one sort of the holders per batch, not one per process.
    private mutating func dropTopPathsOverCap(reserving: Int) {
        let cap = max(0, settings.maxTopPathsProcesses)
        let holders = processes.topPathsHolders
        guard holders.count + reserving > cap, !holders.isEmpty else { return }
        let count = min(holders.count, max(holders.count + reserving - cap, cap / 16))
        let victims = holders.map { pid in
            (lastSeen: processes.all[processes.position(of: pid)!].lastSeen, pid: pid)
        }.sorted { ($0.lastSeen, $0.pid) < ($1.lastSeen, $1.pid) }.prefix(count)
        for victim in victims { processes.dropTopPaths(pid: victim.pid) }
        statistics.droppedTopPaths += UInt64(victims.count)
    }

    private mutating func insert(_ process: TrackedProcess) {
        evictOverCap(reserving: 1)
        processes.insert(process)
    }

    /// Evicts until `reserving` more processes fit under the cap. When the cap is hit it evicts a
    /// batch (1/64 of the cap), so a fork storm costs one scan per batch, not one per process.
    private mutating func evictOverCap(reserving: Int) {
        let cap = max(1, settings.maxProcesses)
        guard processes.count + reserving > cap else { return }
        let excess = processes.count + reserving - cap
        let count = min(processes.count, max(excess, cap / 64))
        // Exited processes first (they would expire anyway), then the least recently active, sorted
        // without copying the processes. (A key packing both into one UInt64 lost the lowest bit of
        // the time, so two processes a nanosecond apart tied and either could go.)
        let victims = processes.all.map { process in
            (live: process.hasExited ? 0 : 1, lastSeen: process.lastSeen, pid: process.identity.pid)
        }.sorted { ($0.live, $0.lastSeen) < ($1.live, $1.lastSeen) }.prefix(count)
        for victim in victims {
            if let process = processes.remove(pid: victim.pid) { other.merge(process.counters) }
        }
        statistics.evictedProcesses += UInt64(victims.count)
    }
}
