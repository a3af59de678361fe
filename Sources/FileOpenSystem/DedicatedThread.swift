import CFileOpend
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// An OS thread of its own for a blocking loop (ring buffer polling, accept), never a thread of
/// the Swift concurrency pool. The loop itself must stop on a flag or wake fd; `join()` waits.
public final class DedicatedThread: Sendable {
    private let finished = DispatchSemaphore(value: 0)

    /// Starts `body` at once on a new thread called `name` (its first 15 bytes are what the
    /// kernel keeps, visible in `top -H` and /proc): `pthread_create(3)`, detached; a plain
    /// pthread rather than Foundation's `Thread`, which would link corelibs Foundation and ICU
    /// (docs/binary-size.md). Failing to create a thread (EAGAIN: the process or user is at its
    /// thread limit) stops the process with the errno: the daemon cannot run without its loops.
    public init(name: String, body: @escaping @Sendable () -> Void) {
        let finished = finished
        let start = ThreadStart {
            // Named by the thread itself before the body runs: a new thread starts with its
            // creator's name.
            _ = cfo_set_thread_name(name)
            body()
            finished.signal()
        }
        let context = Unmanaged.passRetained(start).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { context in
            Unmanaged<ThreadStart>.fromOpaque(context!).takeRetainedValue().body()
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<ThreadStart>.fromOpaque(context).release()
            fatalError("pthread_create(\(name)) failed: \(String(cString: strerror(result))) (errno \(result))")
        }
        pthread_detach(thread)
    }

    /// Waits until the body has returned. May be called more than once.
    public func join() {
        finished.wait()
        finished.signal()
    }
}

/// The closure a new thread runs, passed through `pthread_create`'s context pointer.
private final class ThreadStart: Sendable {
    let body: @Sendable () -> Void

    init(_ body: @escaping @Sendable () -> Void) {
        self.body = body
    }
}
