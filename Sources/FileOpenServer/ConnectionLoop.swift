import FileOpenCore
import FileOpenSystem
import Synchronization

/// The threads of a socket server (`HTTPServer`, `QueryServer`): one event loop thread that
/// accepts, reads requests and writes what the sockets do not take at once, for every connection
/// (epoll, `ConnectionLoopRunner`), and a `WorkerPool` that answers complete requests.
///
/// A connection costs a thread only while a worker answers a request it has sent whole; a client
/// trickling a head or a line, idling, or reading its response slowly costs a descriptor and a
/// few hundred bytes, bounded by the service's caps and timeouts. `stop()` signals a wake fd the
/// loop (and anything the service runs on its own threads) polls, so it is prompt.
final class ConnectionLoop<Service: ConnectionService>: Sendable {
    /// A worker's report: the output it made and how far the socket took it.
    struct Completion: Sendable {
        let id: UInt64
        var output: Service.Output
        let result: ConnectionOutput<Service.HandOff>.SendResult
        /// When the worker began writing: the write timeout counts from here.
        let started: ContinuousClock.Instant
    }

    private enum Phase {
        case idle, running, stopped
    }

    private struct State {
        var phase = Phase.idle
        var thread: DedicatedThread?
        var wake: WakeEvent?
        var notify: WakeEvent?
        var poll: EventPoll?
    }

    let service: Service
    /// Workers' reports, taken by the loop when `notify` fires.
    let completions = Mutex<[Completion]>([])
    /// Requests handed to the workers and not yet answered: raised by the loop, lowered by a
    /// worker as soon as it has the answer (before writing it, so a client that has its answer
    /// never finds its next request refused as busy).
    let inService = Atomic<Int>(0)
    private let threadName: String
    private let workerName: String
    private let state = Mutex(State())

    /// Thread names are at most 15 bytes (Linux truncates them).
    init(service: Service, threadName: String, workerName: String) {
        self.service = service
        self.threadName = threadName
        self.workerName = workerName
    }

    /// Creates the wake and notify fds (`eventfd(2)`) and the epoll instance, starts the workers
    /// and the loop thread on `listeners` (non-blocking listening sockets, which stay the
    /// caller's). Throws if a call fails or if it was started before.
    func start(listeners: [Int32]) throws(ServerError) {
        try state.withLock { (state: inout State) throws(ServerError) in
            guard state.phase == .idle else {
                throw .invalidState("start() called twice or after stop() (\(service.label))")
            }
            let wake = try WakeEvent.make()
            let notify: WakeEvent
            do throws(ServerError) {
                notify = try WakeEvent.make()
            } catch {
                wake.close()
                throw error
            }
            let poll: EventPoll
            do throws(ServerError) {
                poll = try EventPoll.make()
            } catch {
                wake.close()
                notify.close()
                throw error
            }
            state.wake = wake
            state.notify = notify
            state.poll = poll
            state.phase = .running
            let pool = WorkerPool(count: service.loopLimits.workers, name: workerName)
            state.thread = DedicatedThread(name: threadName) { [self] in
                ConnectionLoopRunner(loop: self, listeners: listeners, poll: poll, wake: wake, notify: notify, pool: pool)
                    .run()
            }
        }
    }

    /// Signals the wake fd and joins the loop thread, which lets the workers finish the requests
    /// they are answering and closes every connection it holds. Then runs `cleanUp` (close the
    /// listeners, join the service's own threads: the wake fd is still open and signalled) and
    /// closes the loop's descriptors. Idempotent; `cleanUp` runs only the first time, also for a
    /// loop never started.
    func stop(cleanUp: () -> Void) {
        let (stopped, first) = state.withLock { state -> (State, Bool) in
            guard state.phase != .stopped else { return (State(), false) }
            defer { state = State(phase: .stopped) }
            return (state, true)
        }
        guard first else { return }
        stopped.wake?.signal()
        stopped.thread?.join()
        cleanUp()
        stopped.wake?.close()
        stopped.notify?.close()
        stopped.poll?.close()
    }
}
