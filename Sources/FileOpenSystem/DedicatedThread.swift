import Foundation

/// An OS thread of its own for a blocking loop (ring buffer polling, accept), never a thread of
/// the Swift concurrency pool. The loop itself must stop on a flag or wake fd; `join()` waits.
public final class DedicatedThread: Sendable {
    private let finished = DispatchSemaphore(value: 0)

    /// Starts `body` at once on a new thread called `name` (visible in `top -H` and /proc).
    public init(name: String, body: @escaping @Sendable () -> Void) {
        let finished = finished
        let thread = Thread {
            // Foundation on Linux names the OS thread (/proc/PID/task/TID/comm, `top -H`) only when
            // a thread sets its own name; the name given before start stays on the object alone.
            Thread.current.name = name
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
