#if TestHooks
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
import Synchronization

/// TEST-ONLY control, compiled in only with the `TestHooks` trait (`make test`, the benchmark's
/// instrumented build; never a shipped binary): `FILEOPEND_TEST_FREEZE_CONSUMER_AFTER=<seconds>`
/// makes the consumer thread block in its after-drain hook once that many seconds have passed
/// since start, as a consumer stuck in the kernel or on a lock would, so that the host's watchdog
/// test can watch the keep-alives stop. With `FILEOPEND_TEST_FREEZE_CONSUMER_FOR=<seconds>` as
/// well, the freeze is a stall of that length, once, after which the consumer drains on (the
/// benchmark's "1 s consumer stall"). The variables are read once at start (`Request`), the freeze
/// made when the consumer starts, so the delay counts from there; without them there is no freeze
/// object and the hook is the plain one, so the drain path costs nothing. `release()` (at stop)
/// lets the frozen thread go, so SIGTERM still ends the daemon cleanly.
final class ConsumerFreeze: Sendable {
    /// The environment variable.
    static let variable = "FILEOPEND_TEST_FREEZE_CONSUMER_AFTER"
    /// How long the freeze lasts; unset: until stop.
    static let durationVariable = "FILEOPEND_TEST_FREEZE_CONSUMER_FOR"
    /// The longest either may ask for: a day, far beyond any test, and small enough that the
    /// milliseconds always fit a `Duration`.
    static let maximumSeconds = 86_400.0

    private let deadline: ContinuousClock.Instant
    /// nil: until `release()`.
    private let duration: Duration?
    private let released = DispatchSemaphore(value: 0)
    /// A timed stall happens once.
    private let stalled = Atomic<Bool>(false)

    /// The freeze `request` asks for, its delay counted from now.
    init(_ request: Request) {
        deadline = .now + request.after
        duration = request.duration
    }

    /// What the variables ask for.
    struct Request: Sendable {
        /// How long after the consumer starts it freezes.
        let after: Duration
        /// How long it stays frozen; nil: until stop.
        let duration: Duration?
    }

    /// The freeze the environment asks for, or nil when neither variable is set (the normal case).
    /// - Throws: `InvalidSetting` for a value that is not a number of seconds in 0...`maximumSeconds`
    ///   (`inf`, `nan`, `-1`, `soon`), or for a duration without a start.
    static func request(in environment: [String: String]) throws(InvalidSetting) -> Request? {
        let after = try seconds(of: variable, in: environment)
        let duration = try seconds(of: durationVariable, in: environment)
        guard let after else {
            if duration != nil { throw InvalidSetting(description: "\(durationVariable) is set without \(variable)") }
            return nil
        }
        return Request(after: after, duration: duration)
    }

    /// The variable's value as a duration, nil when it is unset.
    private static func seconds(of name: String, in environment: [String: String]) throws(InvalidSetting) -> Duration? {
        guard let text = environment[name] else { return nil }
        guard let seconds = Double(text), seconds.isFinite, (0...maximumSeconds).contains(seconds) else {
            throw InvalidSetting(description: "\(name)=\(text): expected seconds from 0 to \(Int(maximumSeconds))")
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// A variable's value is not usable.
    struct InvalidSetting: Error, CustomStringConvertible {
        let description: String
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
#endif
