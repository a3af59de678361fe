import CFileOpend
import Foundation

/// An OS thread of its own for a blocking loop (ring buffer polling, accept), never a thread of
/// the Swift concurrency pool. The loop itself must stop on a flag or wake fd; `join()` waits.
public final class DedicatedThread: Sendable {
    private let finished = DispatchSemaphore(value: 0)

    /// Starts `body` at once on a new thread called `name` (its first 15 bytes are what the
    /// kernel keeps, visible in `top -H` and /proc).
    public init(name: String, body: @escaping @Sendable () -> Void) {
        let finished = finished
        let thread = Thread {
            // Named by the thread itself before the body runs: a new thread starts with its
            // creator's name, and Foundation's own naming of it was seen not to happen under load.
            _ = cfo_set_thread_name(name)
            body()
            finished.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Waits until the body has returned. May be called more than once.
    public func join() {
        finished.wait()
        finished.signal()
    }
}
