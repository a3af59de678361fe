import FileOpenCore
import FileOpenProbe
import Logging
import Synchronization

/// The attached probe and its consumer thread (`fileopend-ring`), which counts every record into
/// the store, publishes records to the tail streams (and the printer, with --print) and runs
/// maintenance after each drain. Owns the probe: `stop()` detaches it, lets the consumer drain
/// what is left, reads the last figures and closes it.
final class ProbeComponent: DaemonComponent {
    let name = "probe"
    let probe: FileOpenProgram
    private let consumer: FileOpenConsumer
    /// The probe's figures read at `stop()`, just before it was closed.
    private let last = Mutex<ProbeStatistics?>(nil)
    #if TestHooks
    /// Test-only (`FILEOPEND_TEST_FREEZE_CONSUMER_AFTER`), nil otherwise.
    private let freeze: ConsumerFreeze?
    #endif

    /// - Parameters:
    ///   - settings: with TestHooks, the consumer's freeze (`DaemonSettings.freeze`).
    ///   - afterDrain: run on the consumer thread after every drain pass (maintenance).
    ///   - printer: --print's output: then every record is decoded, tail streams or not.
    init(
        probe: FileOpenProgram, settings: DaemonSettings, store: AggregatorStore, tailHub: TailHub,
        printer: EventPrinter?, afterDrain: @escaping @Sendable () -> Void, logger: Logger
    ) {
        self.probe = probe
        #if TestHooks
        // The freeze check only exists when the test-only control is set.
        let freeze = settings.freeze.map(ConsumerFreeze.init)
        self.freeze = freeze
        let drained: @Sendable () -> Void = if let freeze {
            {
                afterDrain()
                freeze.blockIfDue()
            }
        } else {
            afterDrain
        }
        if let freeze { logger.warning("\(freeze.warning)") }
        #else
        let drained = afterDrain
        #endif
        consumer = FileOpenConsumer(
            probe: probe, logger: logger, store: store,
            wantsRecords: { printer != nil || tailHub.subscriberCount > 0 },
            deliver: { batch in
                tailHub.publish(batch)
                printer?.print(batch)
            },
            afterDrain: drained
        )
    }

    func start() {
        consumer.start()
    }

    /// Drains the ring now, on the caller's thread (see `FileOpenConsumer.drainNow`).
    func drainNow() {
        consumer.drainNow()
    }

    /// Detaches the probe (no new records), lets the consumer thread drain the rest and stop,
    /// then closes the probe.
    func stop() {
        probe.detach()
        #if TestHooks
        freeze?.release()
        #endif
        consumer.stop()
        last.withLock { last in
            if last == nil { last = probe.statistics }
        }
        probe.close()
    }

    func report(into figures: inout DaemonFigures) {
        figures.append(last.withLock { $0 } ?? probe.statistics)
        figures.append(consumer.statistics)
    }
}
