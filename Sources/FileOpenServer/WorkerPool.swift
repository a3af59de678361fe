import FileOpenCore
import FileOpenSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
import Synchronization

/// A fixed set of OS threads that run submitted jobs in the order submitted: where a server's
/// complete requests are rendered, so that a long render (a large /metrics body) never holds up
/// the event loop. The caller bounds how many jobs may wait; the pool only runs them.
final class WorkerPool: Sendable {
    typealias Job = @Sendable () -> Void

    private struct Queue {
        var jobs: [Job] = []
        /// Where the next job to run is in `jobs`; the run ones are dropped in batches.
        var head = 0
        var stopping = false
    }

    private let queue = Mutex(Queue())
    /// Signalled once per job submitted and once per thread at stop.
    private let available = DispatchSemaphore(value: 0)
    private let threads = Mutex<[DedicatedThread]>([])

    /// Starts `count` threads called `name` (at most 15 bytes: Linux truncates thread names).
    init(count: Int, name: String) {
        let threads = (0..<max(1, count)).map { _ in
            DedicatedThread(name: name) { [self] in
                while let job = next() { job() }
            }
        }
        self.threads.withLock { $0 = threads }
    }

    /// Queues `job` for the next free thread. Dropped if the pool is stopping.
    func submit(_ job: @escaping Job) {
        let accepted = queue.withLock { queue in
            guard !queue.stopping else { return false }
            queue.jobs.append(job)
            return true
        }
        if accepted { available.signal() }
    }

    /// Lets every thread finish the job it is running, drops the queued ones and joins the threads.
    /// Idempotent.
    func stop() {
        let first = queue.withLock { queue in
            defer {
                queue.stopping = true
                queue.jobs = []
                queue.head = 0
            }
            return !queue.stopping
        }
        let threads = threads.withLock { $0 }
        if first { for _ in threads { available.signal() } }
        for thread in threads { thread.join() }
    }

    /// The next job, waiting for one; nil once the pool stops. Each signal stands for one job or
    /// for the stop, so a wake-up finds either.
    private func next() -> Job? {
        available.wait()
        return queue.withLock { queue -> Job? in
            guard !queue.stopping, queue.head < queue.jobs.count else { return nil }
            let job = queue.jobs[queue.head]
            queue.head += 1
            if queue.head == queue.jobs.count {
                queue.jobs.removeAll(keepingCapacity: true)
                queue.head = 0
            }
            return job
        }
    }
}
