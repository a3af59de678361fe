public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// When tests that need the kernel (BPF, tracefs, root) run, and the set-up they share.
///
/// They run as root. Under CI (`CI=true`) they always run, so that a missing privilege fails the
/// run instead of silently skipping; elsewhere a non-root run skips them with one reason.
public enum TestEnvironment {
    /// CI sets `CI=true`.
    public static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"
    public static let isRoot = getuid() == 0
    /// The condition for `.enabled(if:)` on kernel tests.
    public static let canRunKernelTests = isRoot || isCI
    /// The one-line skip reason.
    public static let kernelTestsSkipReason = "needs root for BPF (CAP_BPF, CAP_PERFMON) and tracefs; always runs under CI=true"

    /// Whether this build has the test-only controls (the `TestHooks` trait, which `make test`
    /// enables): the daemon the tests run is built with the same traits as the tests.
    #if TestHooks
    public static let hasTestHooks = true
    #else
    public static let hasTestHooks = false
    #endif
    /// The condition for `.enabled(if:)` on tests of the test-only controls: under CI they run,
    /// and fail on a build without them, instead of skipping.
    public static let canRunTestHookTests = hasTestHooks || isCI
    /// The one-line skip reason.
    public static let testHooksSkipReason =
        "needs the test-only controls: swift build --traits TestHooks (make test does); always runs under CI=true"

    /// Mounts tracefs at /sys/kernel/tracing if it is not there (some machines do not mount it at
    /// boot); a failure is left for the test to report through the error it causes.
    public static func ensureTracefs() {
        guard !FileManager.default.fileExists(atPath: "/sys/kernel/tracing/events") else { return }
        _ = mount("nodev", "/sys/kernel/tracing", "tracefs", 0, nil)
    }

    /// A directory of its own under /tmp for one test, removed by the caller.
    public static func makeScratchDirectory(_ label: String) throws -> URL {
        let url = URL(fileURLWithPath: "/tmp/fileopend-test-\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs `body` holding an exclusive `flock(2)` on /tmp/fileopend-test-`name`.lock: for tests
    /// of different suites (which run in parallel) that count something host-wide, such as every
    /// io_uring open, so that none sees another's.
    public static func exclusively<T>(_ name: String, _ body: () throws -> T) throws -> T {
        let descriptor = open("/tmp/fileopend-test-\(name).lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 && errno == EINTR {}
        return try body()
    }

    /// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
    public static func waitUntil(timeout: Duration = .seconds(10), _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return try condition()
    }

    /// Raises this process's soft limit on open descriptors (`setrlimit(RLIMIT_NOFILE)`) to
    /// `wanted`, or to the hard limit if that is lower: a test holding a thousand connections
    /// needs both ends' descriptors, and a login's soft limit is often 1024. Child processes
    /// (the daemon in end-to-end tests) inherit it.
    public static func raiseDescriptorLimit(to wanted: Int) {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        let target = min(rlim_t(wanted), limit.rlim_max)
        guard limit.rlim_cur < target else { return }
        limit.rlim_cur = target
        _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
    }
}
