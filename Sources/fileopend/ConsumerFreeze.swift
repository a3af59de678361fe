import Foundation

/// TEST-ONLY control: `FILEOPEND_TEST_FREEZE_CONSUMER_AFTER=<seconds>` makes the consumer thread
/// block in its after-drain hook once that many seconds have passed since start, as a consumer
/// stuck in the kernel or on a lock would, so that the watchdog tests (on the host and in the
/// systemd guest) can watch the keep-alives stop and the service get restarted. The variable is
/// read once at start; without it there is no freeze object and the hook is the plain one, so the
/// drain path costs nothing. `release()` (at stop) lets the frozen thread go, so SIGTERM still ends
/// the daemon cleanly.
final class ConsumerFreeze: Sendable {
    /// The environment variable (test-only; not a documented setting).
    static let variable = "FILEOPEND_TEST_FREEZE_CONSUMER_AFTER"

    private let deadline: ContinuousClock.Instant
    private let released = DispatchSemaphore(value: 0)

    private init(after delay: Duration) {
        deadline = .now + delay
    }

    /// The freeze the environment asks for, or nil (the normal case).
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> ConsumerFreeze? {
        guard let text = environment[variable], let seconds = Double(text), seconds >= 0 else { return nil }
        return ConsumerFreeze(after: .milliseconds(Int64(seconds * 1000)))
    }

    /// Called by the consumer thread after each drain pass: past the deadline, blocks until `release()`.
    func blockIfDue() {
        guard ContinuousClock.now >= deadline else { return }
        released.wait()
        released.signal()
    }

    /// Lets a frozen consumer thread (and any later pass) through.
    func release() {
        released.signal()
    }
}
