import FileOpenCore
import FileOpenSystem
import Synchronization

/// Threads started one at a time and joined together: the query server's `tail` streams. A
/// finished thread is joined (at once: its body has returned) when the next one starts.
final class ThreadGroup: Sendable {
    private struct State {
        /// By id, including finished ones not yet joined.
        var threads: [UInt64: DedicatedThread] = [:]
        var finished: [UInt64] = []
        var nextID: UInt64 = 0
    }

    private let name: String
    private let state = Mutex(State())

    /// Threads called `name` (at most 15 bytes: Linux truncates thread names).
    init(name: String) {
        self.name = name
    }

    /// Threads whose body has not returned yet.
    var running: Int { state.withLock { $0.threads.count - $0.finished.count } }

    /// Runs `body` on a new thread.
    func start(_ body: @escaping @Sendable () -> Void) {
        reapFinished()
        state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            // The thread marks itself finished under the lock this closure holds: never before it is stored.
            state.threads[id] = DedicatedThread(name: name) { [self] in
                body()
                self.state.withLock { $0.finished.append(id) }
            }
        }
    }

    /// Joins every thread (their bodies must be ending: stopped by a flag or wake fd).
    func joinAll() {
        let threads = state.withLock { $0.threads }
        for thread in threads.values { thread.join() }
        state.withLock { state in
            for id in threads.keys { state.threads[id] = nil }
            state.finished.removeAll { threads[$0] != nil }
        }
    }

    private func reapFinished() {
        let done = state.withLock { state in
            defer { state.finished = [] }
            return state.finished.compactMap { state.threads.removeValue(forKey: $0) }
        }
        for thread in done { thread.join() }
    }
}
