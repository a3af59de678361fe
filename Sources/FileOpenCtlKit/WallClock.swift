#if canImport(Glibc)
import Glibc
#endif

/// Turns the daemon's timestamps (nanoseconds since boot, CLOCK_BOOTTIME, as the kernel program
/// records them) into local dates and ages. The client runs on the daemon's host, so one reading
/// of both clocks relates the two.
public struct WallClock: Sendable {
    /// CLOCK_BOOTTIME at the reading, in nanoseconds.
    public var boottimeNanoseconds: UInt64
    /// CLOCK_REALTIME at the reading, in nanoseconds since the epoch.
    public var realtimeNanoseconds: Int64
    /// Dates in UTC instead of the local time zone (for tests).
    public var utc: Bool

    /// A reading taken elsewhere (tests use fixed ones).
    public init(boottimeNanoseconds: UInt64, realtimeNanoseconds: Int64, utc: Bool = false) {
        self.boottimeNanoseconds = boottimeNanoseconds
        self.realtimeNanoseconds = realtimeNanoseconds
        self.utc = utc
    }

    /// Both clocks now, with `clock_gettime(2)`.
    public static func now() -> WallClock {
        var boot = timespec(), real = timespec()
        clock_gettime(CLOCK_BOOTTIME, &boot)
        clock_gettime(CLOCK_REALTIME, &real)
        return WallClock(
            boottimeNanoseconds: UInt64(boot.tv_sec) * 1_000_000_000 + UInt64(boot.tv_nsec),
            realtimeNanoseconds: Int64(real.tv_sec) * 1_000_000_000 + Int64(real.tv_nsec)
        )
    }

    /// How long before the reading `boottime` was, in seconds (0 for a time after it).
    public func secondsAgo(boottime: UInt64) -> Double {
        boottime >= boottimeNanoseconds ? 0 : Double(boottimeNanoseconds - boottime) / 1e9
    }

    /// `2025-06-01 12:00:03 (3h 02m ago)` for a CLOCK_BOOTTIME timestamp.
    public func describe(boottime: UInt64) -> String {
        let ago = secondsAgo(boottime: boottime)
        let real = realtimeNanoseconds / 1_000_000_000 - Int64(ago.rounded())
        return date(epochSeconds: real) + " (" + NumberFormat.duration(seconds: ago) + " ago)"
    }

    /// The reading's own time, `2025-06-01 12:00:03`.
    public var currentDate: String { date(epochSeconds: realtimeNanoseconds / 1_000_000_000) }

    /// `localtime_r(3)` (or `gmtime_r`) and `strftime(3)` with `%Y-%m-%d %H:%M:%S`.
    private func date(epochSeconds: Int64) -> String {
        var seconds = time_t(epochSeconds)
        var parts = tm()
        if utc { gmtime_r(&seconds, &parts) } else { localtime_r(&seconds, &parts) }
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%d %H:%M:%S", &parts)
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
