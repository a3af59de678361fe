import CSystemd
#if canImport(Glibc)
import Glibc
#endif

/// The service manager's notification channel (`$NOTIFY_SOCKET`, `Type=notify` units): readiness,
/// status lines, reload and stop phases, watchdog keep-alives. Every call is a quiet no-op when the
/// daemon was not started by systemd (no `$NOTIFY_SOCKET`), so callers never ask first.
///
/// The environment is left set (`unset_environment` 0): the watchdog thread and a reload send
/// messages long after start-up.
public struct SystemdNotifier: Sendable {
    public init() {}

    /// Whether a service manager listens (`$NOTIFY_SOCKET` is set).
    public var isEnabled: Bool { getenv("NOTIFY_SOCKET") != nil }

    /// Sends one datagram of newline-separated `KEY=VALUE` assignments with `sd_notify(3)`.
    /// Returns false (nothing sent) without `$NOTIFY_SOCKET`; throws with the errno `sd_notify`
    /// reported otherwise (say, the manager's socket is gone).
    @discardableResult
    public func notify(_ assignments: [String]) throws(ServerError) -> Bool {
        let state = assignments.joined(separator: "\n")
        let result = sd_notify(0, state)
        if result < 0 {
            let first = assignments.first ?? ""
            throw .callFailed(operation: "sd_notify(\(first))", errno: -result)
        }
        return result > 0
    }

    /// `READY=1`, with a `STATUS=` line in the same datagram (`sd_notify(3)`): start-up (or a
    /// reload) is complete.
    public func ready(status: String? = nil) throws(ServerError) {
        try notify(["READY=1"] + (status.map { ["STATUS=\($0)"] } ?? []))
    }

    /// `STATUS=` (`sd_notify(3)`): one line shown by `systemctl status`.
    public func status(_ text: String) throws(ServerError) {
        try notify(["STATUS=\(text)"])
    }

    /// `RELOADING=1` with `MONOTONIC_USEC=` (CLOCK_MONOTONIC now, in µs) as systemd 253's
    /// `Type=notify-reload` requires and older managers ignore (`sd_notify(3)`); `ready()` ends it.
    public func reloading(status: String? = nil) throws(ServerError) {
        try notify(
            ["RELOADING=1", "MONOTONIC_USEC=\(Self.monotonicMicroseconds())"] + (status.map { ["STATUS=\($0)"] } ?? [])
        )
    }

    /// `STOPPING=1` (`sd_notify(3)`): shutdown has begun.
    public func stopping(status: String? = nil) throws(ServerError) {
        try notify(["STOPPING=1"] + (status.map { ["STATUS=\($0)"] } ?? []))
    }

    /// `WATCHDOG=1` (`sd_notify(3)`): the keep-alive `WatchdogSec=` waits for.
    public func watchdog() throws(ServerError) {
        try notify(["WATCHDOG=1"])
    }

    /// The watchdog interval the manager asks for (`sd_watchdog_enabled(3)`: `$WATCHDOG_USEC`,
    /// and `$WATCHDOG_PID` naming this process if set), nil when the watchdog is off.
    public static func watchdogInterval() throws(ServerError) -> Duration? {
        var microseconds: UInt64 = 0
        let result = sd_watchdog_enabled(0, &microseconds)
        if result < 0 { throw .callFailed(operation: "sd_watchdog_enabled", errno: -result) }
        guard result > 0, microseconds > 0 else { return nil }
        return .microseconds(Int64(clamping: microseconds))
    }

    /// CLOCK_MONOTONIC in microseconds (`clock_gettime(2)`), the clock `MONOTONIC_USEC=` is read on.
    public static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }
}
