import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C (SIGINT) and SIGTERM as a readable file descriptor, so a loop that waits in `poll(2)`
/// (`tail`, `top --watch`) ends cleanly with status 0 instead of being killed mid-line.
///
/// The signals' default actions are replaced by SIG_IGN and observed through Dispatch signal
/// sources, whose handler (on a Dispatch thread, not in signal context) writes a byte to a
/// `pipe(2)`. Nobody reads the byte back, so the pipe stays readable once triggered. A second
/// signal restores the default action and raises it again: the way out when the main thread is
/// stuck where it cannot see the pipe (a write to a full pipe whose reader stopped reading).
public final class InterruptSignal {
    /// The read end of the pipe: readable once a signal has arrived.
    public let fd: Int32
    private let writeFD: Int32
    private var sources: [any DispatchSourceSignal] = []

    /// Creates the pipe with `pipe(2)` and starts observing SIGINT and SIGTERM (unless
    /// `observingSignals` is false: then only `trigger()` fires it, as tests want).
    public init(observingSignals: Bool = true) throws(ClientError) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw .callFailed(operation: "pipe()", errno: errno) }
        fd = fds[0]
        writeFD = fds[1]
        guard observingSignals else { return }
        let writeFD = writeFD
        let received = SignalCount()
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if received.count.add(1, ordering: .relaxed).newValue > 1 {
                    signal(number, SIG_DFL)
                    kill(getpid(), number)  // To the process: this Dispatch thread blocks signals.
                }
                var byte: UInt8 = 1
                _ = write(writeFD, &byte, 1)
            }
            source.resume()
            return source
        }
    }

    deinit {
        for source in sources { source.cancel() }
        close(fd)
        close(writeFD)
    }

    /// Whether a signal has arrived (a `poll(2)` that does not wait).
    public var isTriggered: Bool { wait(timeout: .zero) }

    /// Waits up to `timeout` with `poll(2)`; returns whether a signal arrived (at once if one did before).
    public func wait(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, (deadline - .now).pollMilliseconds)
            if ready > 0 { return true }
            if ready < 0 && errno == EINTR { continue }
            if ContinuousClock.now >= deadline || ready < 0 { return false }
        }
    }

    /// Simulates a signal: what the Dispatch handler does, for tests and internal stops.
    public func trigger() {
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
    }
}

/// How many signals arrived, shared with the Dispatch handlers.
private final class SignalCount: Sendable {
    let count = Atomic(0)
}
