import BPF
public import FileOpenCore
import FileOpenSystem
public import Logging
import Synchronization

/// Drains the probe's ring buffer on one dedicated OS thread. It waits for the kernel's wakeup
/// (sent only when the ring is filling) or the drain interval, whichever comes first, so latency
/// is bounded by `ProbeSettings.drainInterval`. A record that does not decode is counted and
/// skipped.
///
/// Each drain counts its records into `store` in place, straight from the ring's bytes, holding
/// the store's lock for `recordsPerChunk` records at a time: nothing is decoded into strings but
/// a new comm or a path new to its process (`Aggregator.count(_:decodePath:)`), which keeps the
/// per-record cost low. Only while `wantsRecords()` says so (a `tail` client, `--print`) is every
/// record also decoded in full and each chunk's batch handed to `deliver`, on the same thread,
/// in ring order.
public final class FileOpenConsumer: Sendable {
    /// What has come through so far. `writeMetrics(into:)` is where each counter becomes a metric.
    public struct Statistics: ComponentStatistics, Equatable {
        /// Open records delivered.
        public var opens: UInt64 = 0
        /// Process-exit records delivered.
        public var exits: UInt64 = 0
        /// Records of v2 cgroups made or removed.
        public var cgroups: UInt64 = 0
        /// Records consumed that did not decode (lost at the decode stage).
        public var undecodable: UInt64 = 0
        /// Completed drain passes: grows while the thread is alive and not stuck.
        public var drains: UInt64 = 0

        /// All zero.
        public init() {}

        init(opens: UInt64, exits: UInt64, cgroups: UInt64, undecodable: UInt64, drains: UInt64) {
            self.opens = opens
            self.exits = exits
            self.cgroups = cgroups
            self.undecodable = undecodable
            self.drains = drains
        }

        public func writeMetrics(into writer: inout ExpositionWriter) {
            writer.family("fileopen_records_received", .counter, help: "Ring buffer records delivered, by kind.")
            writer.sample(["kind": "open"], opens)
            writer.sample(["kind": "exit"], exits)
            writer.sample(["kind": "cgroup"], cgroups)
            writer.family("fileopen_records_undecodable", .counter, help: "Ring buffer records that did not decode (skipped).")
            writer.sample(undecodable)
            writer.family("fileopen_consumer_drains", .counter, help: "Drain passes of the ring buffer consumer thread.")
            writer.sample(drains)
        }
    }

    private let probe: FileOpenProgram
    private let logger: Logger
    private let store: AggregatorStore?
    private let wantsRecords: @Sendable () -> Bool
    private let deliver: @Sendable ([ProbeRecord]) -> Void
    private let afterDrain: @Sendable () -> Void
    private let running = Atomic<Bool>(false)
    private let thread = Mutex<DedicatedThread?>(nil)
    private let opens = Atomic<UInt64>(0)
    private let exits = Atomic<UInt64>(0)
    private let cgroupRecords = Atomic<UInt64>(0)
    private let undecodable = Atomic<UInt64>(0)
    private let drains = Atomic<UInt64>(0)
    /// Held while a chunk of records is consumed and delivered: the ring has one reader at a time
    /// (the thread, or `drainNow()` on another), batches reach `deliver` in ring order, and a
    /// `drainNow()` waits for one chunk at most.
    private let consuming = Mutex(())

    /// - Parameters:
    ///   - store: where every record is counted; nil to only decode and deliver them.
    ///   - wantsRecords: asked once per drain: whether to decode the drain's records in full for
    ///     `deliver` (always, without a store).
    ///   - deliver: called on the consumer thread with each non-empty batch, in ring order.
    ///   - afterDrain: called on the consumer thread after every drain pass, at least once per
    ///     drain interval: the place for periodic work that must not race with the counting.
    public init(
        probe: FileOpenProgram, logger: Logger, store: AggregatorStore? = nil,
        wantsRecords: @escaping @Sendable () -> Bool = { true },
        deliver: @escaping @Sendable ([ProbeRecord]) -> Void = { _ in },
        afterDrain: @escaping @Sendable () -> Void = {}
    ) {
        self.probe = probe
        self.logger = logger
        self.store = store
        self.wantsRecords = wantsRecords
        self.deliver = deliver
        self.afterDrain = afterDrain
    }

    /// Starts the consumer thread (`fileopend-ring`). Does nothing if it runs already.
    public func start() {
        thread.withLock { thread in
            guard thread == nil else { return }
            running.store(true, ordering: .releasing)
            thread = DedicatedThread(name: "fileopend-ring") { [self] in run() }
        }
    }

    /// Stops the thread after one last full drain and waits for it. Detach the probe first so
    /// that drain sees every record. Idempotent.
    public func stop() {
        running.store(false, ordering: .releasing)
        let current = thread.withLock { thread in
            defer { thread = nil }
            return thread
        }
        current?.join()
    }

    public var statistics: Statistics {
        Statistics(
            opens: opens.load(ordering: .relaxed), exits: exits.load(ordering: .relaxed),
            cgroups: cgroupRecords.load(ordering: .relaxed),
            undecodable: undecodable.load(ordering: .relaxed), drains: drains.load(ordering: .relaxed)
        )
    }

    private func run() {
        var batch: [ProbeRecord] = []
        batch.reserveCapacity(4096)
        var paths = KernelStringCache()
        while running.load(ordering: .acquiring) {
            drain(into: &batch, paths: &paths, waiting: probe.settings.drainInterval)
        }
        drain(into: &batch, paths: &paths, waiting: nil)
    }

    /// Consumes and counts every record the ring holds now, on the calling thread, taking turns
    /// with the consumer thread chunk by chunk: at the counts level a scrape or query calls it
    /// before folding the kernel's counts, so the cgroups made since the last drain are known by
    /// then (a cgroup made, used and removed within one drain interval is still named). Delivers
    /// like a drain (records are decoded only while `wantsRecords()`), but is not a drain pass.
    public func drainNow() {
        guard store != nil else { return }
        var batch: [ProbeRecord] = []
        var paths = KernelStringCache()
        consumeAll(into: &batch, paths: &paths, decodeAll: wantsRecords())
    }

    /// Records counted per hold of the store's lock: a drain lasts as long as producers keep up
    /// with it, and readers (scrapes, queries) should wait for a slice of it, not the whole.
    static let recordsPerChunk = 4096

    /// One pass: wait (if asked), then consume until the ring is empty, `recordsPerChunk` records
    /// at a time, delivering each chunk's batch.
    private func drain(into batch: inout [ProbeRecord], paths: inout KernelStringCache, waiting timeout: Duration?) {
        if let timeout {
            // Outside the store's lock: readers never wait for the interval, only for a chunk.
            do {
                try probe.ringBuffer.wait(timeout: timeout)
            } catch {
                logger.error("ring buffer wait failed: \(error)")
            }
        }
        defer {
            drains.add(1, ordering: .relaxed)
            afterDrain()
        }
        consumeAll(into: &batch, paths: &paths, decodeAll: store == nil || wantsRecords())
    }

    /// Consumes until the ring is empty, `recordsPerChunk` records at a time, delivering each
    /// chunk's batch when `decodeAll`.
    private func consumeAll(into batch: inout [ProbeRecord], paths: inout KernelStringCache, decodeAll: Bool) {
        var more = true
        while more {
            more = consuming.withLock { _ in consumeChunk(into: &batch, paths: &paths, decodeAll: decodeAll) }
        }
    }

    /// Consumes and counts up to `recordsPerChunk` records and delivers their batch (so that
    /// batches reach `deliver` in ring order whoever drains); returns whether more may wait.
    private func consumeChunk(into batch: inout [ProbeRecord], paths: inout KernelStringCache, decodeAll: Bool) -> Bool {
        var more = false
        var opened: UInt64 = 0
        var exited: UInt64 = 0
        var cgroups: UInt64 = 0
        if let store {
            store.withAggregator { aggregator in
                // Runs of repeats are compared in place: the ring keeps the record before
                // the current one, and every way out of the handler flushes the run first.
                var runs = OpenRunCounter()
                defer { runs.flush(into: &aggregator) }
                more = consume(limit: Self.recordsPerChunk) { bytes in
                    let view: DecodedProbeRecord.View
                    do {
                        view = try DecodedProbeRecord.view(of: bytes)
                    } catch {
                        runs.flush(into: &aggregator)  // consume() calls the ring again
                        throw error
                    }
                    switch view {
                    case .open(let open):
                        runs.count(open, into: &aggregator) { paths.decode($0) }
                        opened += 1
                    case .exit(let exit):
                        runs.flush(into: &aggregator)
                        aggregator.exited(exit.event)
                        exited += 1
                    case .cgroup(let cgroup):
                        runs.flush(into: &aggregator)
                        aggregator.apply(cgroup.change)
                        cgroups += 1
                        return
                    }
                    if decodeAll {
                        batch.append(Self.named(DecodedProbeRecord(view, of: bytes, paths: &paths).record, view, aggregator))
                    }
                }
            }
        } else {
            more = consume(limit: Self.recordsPerChunk) { bytes in
                let view = try DecodedProbeRecord.view(of: bytes)
                if case .cgroup = view {
                    cgroups += 1
                    return
                }
                let record = DecodedProbeRecord(view, of: bytes, paths: &paths).record
                if case .open = record { opened += 1 } else { exited += 1 }
                batch.append(record)
            }
        }
        opens.add(opened, ordering: .relaxed)
        exits.add(exited, ordering: .relaxed)
        cgroupRecords.add(cgroups, ordering: .relaxed)
        if !batch.isEmpty {
            deliver(batch)
            batch.removeAll(keepingCapacity: true)
        }
        return more
    }

    /// `record` with the unit of its cgroup as the aggregator knows it now (what `tail --unit`
    /// matches).
    private static func named(_ record: ProbeRecord, _ view: DecodedProbeRecord.View, _ aggregator: Aggregator) -> ProbeRecord {
        switch (record, view) {
        case (.open(var event), _):
            event.unit = aggregator.cgroups.unit(of: event.cgroupID)?.unit
            return .open(event)
        case (.exit(var exit), .exit(let exitView)):
            exit.unit = aggregator.cgroups.unit(of: exitView.cgroup)?.unit
            return .exit(exit)
        default:
            return record
        }
    }

    /// Consumes up to `limit` records; an undecodable record is counted and skipped. Returns
    /// whether it stopped at the limit (more may be waiting).
    private func consume(limit: Int, _ handle: (UnsafeRawBufferPointer) throws -> Void) -> Bool {
        while true {
            do {
                return try probe.ringBuffer.consumeBytes(limit: limit, handler: handle) >= limit
            } catch let error as BPFRecordError {
                // The bad record was consumed; carry on with the rest.
                if undecodable.add(1, ordering: .relaxed).newValue == 1 {
                    logger.error("undecodable ring buffer record skipped (further ones are only counted): \(error)")
                }
            } catch {
                logger.error("ring buffer drain failed: \(error)")
                return false
            }
        }
    }
}
