import BPF
public import FileOpenCore
public import Logging
import Synchronization

/// Drains the probe's ring buffer on one dedicated OS thread and hands each drained batch of
/// records to `deliver`, on that thread. It waits for the kernel's wakeup (sent only when the ring
/// is filling) or the drain interval, whichever comes first, so delivery latency is bounded by
/// `ProbeSettings.drainInterval`. A record that does not decode is counted and skipped.
public final class FileOpenConsumer: Sendable {
    /// What has come through so far.
    public struct Statistics: Sendable, Equatable {
        /// Open records delivered.
        public var opens: UInt64
        /// Process-exit records delivered.
        public var exits: UInt64
        /// Records consumed that did not decode (lost at the decode stage).
        public var undecodable: UInt64
        /// Completed drain passes: grows while the thread is alive and not stuck.
        public var drains: UInt64
    }

    private let probe: FileOpenProbe
    private let logger: Logger
    private let deliver: @Sendable ([ProbeRecord]) -> Void
    private let afterDrain: @Sendable () -> Void
    private let running = Atomic<Bool>(false)
    private let thread = Mutex<DedicatedThread?>(nil)
    private let opens = Atomic<UInt64>(0)
    private let exits = Atomic<UInt64>(0)
    private let undecodable = Atomic<UInt64>(0)
    private let drains = Atomic<UInt64>(0)

    /// - Parameters:
    ///   - deliver: called on the consumer thread with each non-empty batch, in ring order.
    ///   - afterDrain: called on the consumer thread after every drain pass, at least once per
    ///     drain interval: the place for periodic work that must not race with `deliver`.
    public init(
        probe: FileOpenProbe, logger: Logger, deliver: @escaping @Sendable ([ProbeRecord]) -> Void,
        afterDrain: @escaping @Sendable () -> Void = {}
    ) {
        self.probe = probe
        self.logger = logger
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

    /// One pass: wait (if asked), then consume until the ring is empty, then deliver the batch.
    private func drain(into batch: inout [ProbeRecord], paths: inout KernelStringCache, waiting timeout: Duration?) {
        var timeout = timeout
        let append: (UnsafeRawBufferPointer) throws -> Void = { bytes in
            batch.append(try DecodedProbeRecord(bpfRecord: bytes, paths: &paths).record)
        }
        while true {
            do {
                if let wait = timeout {
                    timeout = nil
                    try probe.ringBuffer.pollBytes(timeout: wait, handler: append)
                }
                // With BPF_RB_NO_WAKEUP the poll above times out with records waiting: collect them.
                try probe.ringBuffer.consumeBytes(handler: append)
                break
            } catch let error as BPFRecordError {
                // The bad record was consumed; carry on with the rest.
                if undecodable.add(1, ordering: .relaxed).newValue == 1 {
                    logger.error("undecodable ring buffer record skipped (further ones are only counted): \(error)")
                }
            } catch {
                logger.error("ring buffer drain failed: \(error)")
                break
            }
        }
        drains.add(1, ordering: .relaxed)
        defer { afterDrain() }
        guard !batch.isEmpty else { return }
        var opened: UInt64 = 0
        for record in batch {
            if case .open = record { opened += 1 }
        }
        opens.add(opened, ordering: .relaxed)
        exits.add(UInt64(batch.count) - opened, ordering: .relaxed)
        deliver(batch)
        batch.removeAll(keepingCapacity: true)
    }
}
