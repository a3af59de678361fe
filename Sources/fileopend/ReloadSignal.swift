import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// SIGHUP (`systemctl reload`) as a request to re-read the configuration, observed through a
/// Dispatch source so that no work happens in a signal handler.
///
/// Created early in start-up: from then on SIGHUP no longer terminates the process (its default
/// action). One that arrives before `start` is dropped, which loses nothing: the configuration
/// being started with was read after it. Reloads run one at a time on a serial queue of their own.
/// Owned and driven by the main thread only (`FileOpenDaemon.run`), hence not Sendable.
final class ReloadSignal {
    private var source: (any DispatchSourceSignal)?

    init() {
        signal(SIGHUP, SIG_IGN)
    }

    /// Calls `reload` for every SIGHUP from now on (several pending ones coalesce into one call).
    func start(_ reload: @escaping @Sendable () -> Void) {
        guard source == nil else { return }
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: DispatchQueue(label: "fileopend.reload"))
        source.setEventHandler(handler: reload)
        source.resume()
        self.source = source
    }

    /// Stops observing. The signal stays ignored: a late SIGHUP during shutdown must not kill it.
    func stop() {
        source?.cancel()
    }
}
