#if canImport(Glibc)
import Glibc
#endif

/// CLOCK_BOOTTIME, the clock of the BPF program's timestamps (`bpf_ktime_get_boot_ns`).
enum BootClock {
    /// Nanoseconds since boot, suspend included (`clock_gettime(CLOCK_BOOTTIME)`).
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_BOOTTIME, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
