import FileOpenCore
import FileOpenProbe
import FileOpenServer
import Logging
import Synchronization

/// What the consumer thread does after each drain pass: note the time (readiness, and later the
/// watchdog, look at it), and at most once per `Maintenance.interval` fold the
/// kernel's missed-opens counts into the aggregator, delete the entries of processes that have
/// exited (so the kernel map drains as processes exit), and expire processes past their
/// retention; once per rate window, end the window of `top`'s rates.
///
/// Exits are never lost for accounting: an exit comes as a record or, when that was lost, as the
/// kernel's mark in the missed map; when the kernel says a mark was lost too (the drop reason
/// `exit_unmarked`), the next run checks every tracked running process with `ProcessLiveness`.
final class Maintenance: DaemonComponent {
    /// How often the consumer thread folds in the kernel's missed counts and expires processes.
    static let interval: Duration = .seconds(1)

    let name = "maintenance"
    private let probe: FileOpenProgram
    private let store: AggregatorStore
    private let logger: Logger
    private let lastRun = Mutex<ContinuousClock.Instant?>(nil)
    private let lastDrain = Mutex<ContinuousClock.Instant?>(nil)
    private let rateWindow: Duration
    private let windowStarted = Mutex(ContinuousClock.now)
    private let missedTracker = Mutex(MissedOpensTracker())
    /// Held while the missed maps are read, folded and pruned: two readings folded out of order
    /// would count an entry made between them twice.
    private let folding = Mutex(())
    /// The missed maps' entries at the last reading: how full they are.
    private let missedEntries = Mutex((processes: 0, comms: 0))
    /// `exit_unmarked` drops already answered by a liveness check.
    private let unmarkedExitsChecked = Mutex<UInt64>(0)
    /// Tracked processes the liveness check found gone.
    private let exitsFoundByCheck = Atomic<UInt64>(0)
    /// Drains the ring on the caller's thread (`FileOpenConsumer.drainNow`), run by `refresh()`
    /// before it folds, so that the records of cgroups made since the last drain are in first.
    private let drainFirst = Mutex<(@Sendable () -> Void)?>(nil)
    /// The v2 hierarchy, walked again when the kernel lost records of cgroups made, and the
    /// `cgroup_ring_buffer_full` drops already answered by a walk.
    private let hierarchy = Mutex<CgroupHierarchy?>(nil)
    private let lostCgroupRecordsAnswered = Mutex<UInt64>(0)

    init(probe: FileOpenProgram, store: AggregatorStore, rateWindow: Duration, logger: Logger) {
        self.probe = probe
        self.store = store
        self.rateWindow = rateWindow
        self.logger = logger
    }

    /// Called by the consumer thread after each drain pass.
    func drained() {
        let now = ContinuousClock.now
        lastDrain.withLock { $0 = now }
        let due = lastRun.withLock { last in
            guard last.map({ now - $0 >= Self.interval }) ?? true else { return false }
            last = now
            return true
        }
        if due { run() }
    }

    /// How long ago the consumer thread finished its last drain pass (nil before the first).
    var sinceLastDrain: Duration? {
        lastDrain.withLock { $0 }.map { ContinuousClock.now - $0 }
    }

    private func run() {
        let now = ContinuousClock.now
        let windowEnded = windowStarted.withLock { started in
            guard now - started >= rateWindow else { return false }
            started = now
            return true
        }
        if windowEnded { store.rollRateWindow() }
        foldKernelCounts(expiring: true)
        checkLivenessIfExitsUnmarked()
        relearnCgroupsIfRecordsLost()
    }

    /// Sets the hierarchy walked again when records of cgroups made are lost.
    func relearnCgroups(from hierarchy: CgroupHierarchy) {
        self.hierarchy.withLock { $0 = hierarchy }
    }

    /// When the kernel lost records of cgroups made or removed (`cgroup_ring_buffer_full`), walks
    /// the hierarchy again, so that a cgroup whose creation went unseen is named from then on
    /// (its opens before count under `[unknown]`; one removed meanwhile stays unnamed).
    private func relearnCgroupsIfRecordsLost() {
        guard let hierarchy = hierarchy.withLock({ $0 }), let lost = try? probe.dropCounts()[.cgroupRingBufferFull],
              lost > lostCgroupRecordsAnswered.withLock({ $0 }) else { return }
        lostCgroupRecordsAnswered.withLock { $0 = lost }
        let changes = hierarchy.walk()
        store.apply(changes)
        logger.warning("""
            \(lost) records of cgroups made or removed reached no ring buffer so far: walked the cgroup hierarchy \
            again (\(changes.count) cgroups). A larger ring_buffer_size helps
            """)
    }

    /// Reads the kernel's missed maps, folds what is new into the counters and deletes the entries
    /// of processes whose exit has been counted; with `expiring`, also ends the series of exited
    /// processes past their retention. Run by every maintenance pass, and at the counts level
    /// before each scrape or query too, so that they see every open counted so far.
    func foldKernelCounts(expiring: Bool = false) {
        folding.withLock { _ in
            var missed: MissedMaps?
            do {
                missed = try probe.missedOpens()
            } catch {
                logger.error("reading the missed-opens maps failed: \(error)")
            }
            if let missed {
                missedEntries.withLock { $0 = (missed.processEntries, missed.commEntries) }
                let report = missedTracker.withLock { tracker -> MissedOpensTracker.Report? in
                    guard probe.detailLevel == .events else {
                        tracker.rebase(missed.processes)
                        return nil
                    }
                    return tracker.observe(missed.processes)
                }
                if let report { warn(report) }
            }
            for identity in store.maintain(missed: missed, now: BootClock.now(), expiring: expiring) {
                do {
                    try probe.forgetMissed(
                        identity, errnos: missed?.processes[identity].map { Array($0.errors.keys) } ?? [],
                        cgroups: missed?.processCgroups[identity] ?? []
                    )
                } catch {
                    logger.error("deleting the missed-opens entries of process \(identity) failed: \(error)")
                }
            }
        }
    }

    /// At the counts level, folds the kernel's counts in now, so that a scrape or query sees every
    /// open counted so far (at the events level, the records are counted as they arrive).
    func refresh() {
        guard probe.detailLevel == .counts else { return }
        drainFirst.withLock { $0 }?()
        foldKernelCounts()
    }

    /// Sets what `refresh()` runs first to drain the ring (the consumer, once it exists).
    func drainBeforeRefresh(_ drain: @escaping @Sendable () -> Void) {
        drainFirst.withLock { $0 = drain }
    }

    /// What maintenance reports. `writeMetrics(into:)` is where each figure becomes a metric.
    struct Statistics: ComponentStatistics, Equatable {
        /// Entries in the kernel's missed map and missed-comms map at the last reading.
        var missedMapEntries = 0
        var missedCommMapEntries = 0
        /// Tracked processes found gone by a liveness check (their exit record and mark were lost).
        var exitsFoundByLivenessCheck: UInt64 = 0

        func writeMetrics(into writer: inout ExpositionWriter) {
            writer.family(
                "fileopen_missed_map_entries", .gauge,
                help: "Entries in the kernel's missed maps at the last maintenance pass (a process or comm with lost records, plus one per errno)."
            )
            writer.sample(["map": "missed"], UInt64(missedMapEntries))
            writer.sample(["map": "missed_comms"], UInt64(missedCommMapEntries))
            writer.family(
                "fileopen_exits_found_by_liveness_check", .counter,
                help: "Tracked processes found gone by the liveness check because their exit record and kernel mark were both lost."
            )
            writer.sample(exitsFoundByLivenessCheck)
        }
    }

    func report(into figures: inout DaemonFigures) {
        let entries = missedEntries.withLock { $0 }
        figures.append(Statistics(
            missedMapEntries: entries.processes, missedCommMapEntries: entries.comms,
            exitsFoundByLivenessCheck: exitsFoundByCheck.load(ordering: .relaxed)
        ))
        if let hierarchy = hierarchy.withLock({ $0 }) { figures.append(hierarchy) }
    }

    /// Ready while the consumer thread keeps draining (it passes at least once per drain interval).
    func readiness() -> Readiness {
        guard let stalled = sinceLastDrain else {
            return .notReady("the consumer thread has not drained the ring buffer yet")
        }
        let limit = max(Duration.seconds(2), probe.settings.drainInterval * 100)
        return stalled < limit ? .ready : .notReady("the consumer thread has not drained the ring buffer for \(stalled)")
    }

    /// When the kernel has lost exits it could not mark, checks each tracked running process.
    private func checkLivenessIfExitsUnmarked() {
        let unmarked: UInt64
        do {
            unmarked = try probe.dropCounts()[.exitUnmarked]
        } catch {
            logger.error("reading the drop counters failed: \(error)")
            return
        }
        guard unmarked > unmarkedExitsChecked.withLock({ $0 }) else { return }
        // Processes exiting during the check are marked or recorded as usual; a later loss
        // raises the counter again and brings another check.
        unmarkedExitsChecked.withLock { $0 = unmarked }
        // Checked on a snapshot, outside the aggregator's lock.
        let running = store.snapshot().processes.all.filter { $0.exitedAt == nil }.map(\.identity)
        let gone = running.filter { !ProcessLiveness.isRunning($0) }
        let found = store.markExited(gone, at: BootClock.now())
        exitsFoundByCheck.add(UInt64(found), ordering: .relaxed)
        logger.log(
            level: found > 0 ? .warning : .debug,
            """
            \(unmarked) process exits so far reached neither the ring buffer nor the missed map: checked \
            \(running.count) tracked processes, \(found) had exited. A larger ring_buffer_size or max_processes helps
            """
        )
    }

    /// A notable event for the journal, with the process as fields (`PID`, `COMM`, `OPENS`).
    private func warn(_ report: MissedOpensTracker.Report) {
        logger.warning(
            """
            \(report.opens) opens of \(report.processes) processes reached no ring buffer record (counted, but \
            missing from tail and top paths); most: pid \(report.worst.pid) (\(report.worstComm)), \
            \(report.worstOpens) opens. A larger ring_buffer_size or a shorter drain_interval helps
            """,
            metadata: ["pid": "\(report.worst.pid)", "comm": "\(report.worstComm)", "opens": "\(report.opens)"]
        )
    }
}
