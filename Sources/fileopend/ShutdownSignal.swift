import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Waits for SIGINT or SIGTERM (or an internal request) without a signal handler doing work:
/// the signals are ignored as actions and observed through Dispatch sources.
final class ShutdownSignal: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)

    /// Turns SIGINT and SIGTERM into `request()`, and SIGPIPE into an error on the write that
    /// caused it. Keep the returned sources alive while waiting.
    func observeSignals() -> [any DispatchSourceSignal] {
        signal(SIGPIPE, SIG_IGN)
        return [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [semaphore] in semaphore.signal() }
            source.resume()
            return source
        }
    }

    /// Asks `wait()` to return, as a signal would.
    func request() {
        semaphore.signal()
    }

    /// Blocks the calling thread until a signal or `request()`.
    func wait() {
        semaphore.wait()
    }
}
