import Foundation
import Synchronization

/// TEST-ONLY control: `FILEOPEND_TEST_FREEZE_CONSUMER_AFTER=<seconds>` makes the consumer thread
/// block in its after-drain hook once that many seconds have passed since start, as a consumer
/// stuck in the kernel or on a lock would, so that the watchdog tests (on the host and in the
/// systemd guest) can watch the keep-alives stop and the service get restarted. With
/// `FILEOPEND_TEST_FREEZE_CONSUMER_FOR=<seconds>` as well, the freeze is a stall of that length,
/// once, after which the consumer drains on (the benchmark's "1 s consumer stall"). The variables
/// are read once at start; without them there is no freeze object and the hook is the plain one,
/// so the drain path costs nothing. `release()` (at stop) lets the frozen thread go, so SIGTERM
/// still ends the daemon cleanly.
final class ConsumerFreeze: Sendable {
    /// The environment variable (test-only; not a documented setting).
    static let variable = "FILEOPEND_TEST_FREEZE_CONSUMER_AFTER"
    /// How long the freeze lasts (test-only); unset: until stop.
    static let durationVariable = "FILEOPEND_TEST_FREEZE_CONSUMER_FOR"

    private let deadline: ContinuousClock.Instant
    /// nil: until `release()`.
    private let duration: Duration?
    private let released = DispatchSemaphore(value: 0)
    /// A timed stall happens once.
    private let stalled = Atomic<Bool>(false)

    private init(after delay: Duration, for duration: Duration?) {
        deadline = .now + delay
        self.duration = duration
    }

    /// The freeze the environment asks for, or nil (the normal case).
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> ConsumerFreeze? {
        guard let text = environment[variable], let seconds = Double(text), seconds >= 0 else { return nil }
        let duration = environment[durationVariable].flatMap(Double.init).flatMap { $0 >= 0 ? $0 : nil }
        return ConsumerFreeze(
            after: .milliseconds(Int64(seconds * 1000)), for: duration.map { .milliseconds(Int64($0 * 1000)) }
        )
    }

    /// What the daemon logs when the control is set.
    var warning: String {
        let length = duration.map { "for \($0), once" } ?? "until stop"
        return "\(Self.variable) is set (a test-only control): the consumer thread will freeze \(length)"
    }

    /// Called by the consumer thread after each drain pass: past the deadline, blocks until
    /// `release()`, or for the stall's duration the first time when one is set.
    func blockIfDue() {
        guard ContinuousClock.now >= deadline else { return }
        guard let duration else {
            released.wait()
            released.signal()
            return
        }
        guard !stalled.exchange(true, ordering: .relaxed) else { return }
        let (seconds, attoseconds) = duration.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        if released.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .success {
            released.signal()
        }
    }

    /// Lets a frozen consumer thread (and any later pass) through.
    func release() {
        released.signal()
    }
}
