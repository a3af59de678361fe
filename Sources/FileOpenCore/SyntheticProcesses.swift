#if TestHooks
/// TEST-ONLY, compiled in only with the `TestHooks` trait (`make test`, the benchmark's instrumented
/// build, Benchmarks/Micro; never a shipped binary): synthetic tracked processes, so that the
/// benchmark (`make bench`) can measure `/metrics`, the query socket and resident memory at 1 k,
/// 10 k and 100 k tracked processes, counts a host's pid space cannot reach on demand. The daemon reads
/// `FILEOPEND_TEST_SYNTHETIC_PROCESSES=<count>` once at start and, when it is set, feeds these
/// records through the aggregator's normal path before the consumer starts; without it nothing
/// here runs. Not a documented setting: the records are made up.
///
/// Each synthetic process opens three paths of its own, as a real one would: one read that
/// succeeds, one that fails with `ENOENT`, and one write with `O_CREAT`, so that it has every
/// per-process series (opens, an errno, two access modes, creates) and three top paths. Pids
/// start at `firstPID`, above Linux's highest possible pid, so they never meet a real process;
/// comms cycle through `commCount` names.
public enum SyntheticProcesses {
    /// The environment variable (test-only; not a documented setting).
    public static let variable = "FILEOPEND_TEST_SYNTHETIC_PROCESSES"
    /// The first synthetic pid: above PID_MAX_LIMIT (4 194 304), so never a real one.
    public static let firstPID: Int32 = 10_000_000
    /// Distinct comms among the synthetic processes.
    public static let commCount = 500
    /// Processes per batch handed to `apply`: bounds the transient memory of the records.
    public static let batchSize = 1024
    /// The most the variable may ask for.
    public static let maximum = 1_000_000

    /// The count the environment asks for, or nil when the variable is unset (the normal case).
    /// - Throws: `InvalidCount` when it is set to anything but an integer in 1...`maximum`.
    public static func count(in environment: [String: String]) throws(InvalidCount) -> Int? {
        guard let text = environment[variable] else { return nil }
        guard let count = Int(text), (1...maximum).contains(count) else { throw InvalidCount(text: text) }
        return count
    }

    /// The variable's value is not a count.
    public struct InvalidCount: Error, CustomStringConvertible {
        public let text: String
        public var description: String {
            "\(SyntheticProcesses.variable)=\(text): expected a process count in 1...\(SyntheticProcesses.maximum)"
        }
    }

    /// The three open records of synthetic process number `index` (0-based), at `timestamp`.
    public static func records(index: Int, timestamp: UInt64) -> [ProbeRecord] {
        let pid = firstPID + Int32(index)
        let process = ProcessIdentity(pid: pid, startTime: UInt64(index) + 1)
        let comm = "synthetic-\(index % commCount)"
        func open(_ path: String, flags: UInt32, result: Int64) -> ProbeRecord {
            .open(FileOpenEvent(
                timestamp: timestamp, process: process, tid: pid, uid: 0, cgroupID: 1, syscall: .openat,
                flags: OpenFlags(rawValue: flags), mode: flags & 0o100 != 0 ? 0o644 : 0, result: result,
                comm: comm, path: path
            ))
        }
        return [
            open("/proc/\(pid)/stat", flags: 0, result: 3),
            open("/etc/synthetic/\(pid).conf", flags: 0, result: -2),
            open("/tmp/synthetic-\(pid).log", flags: 0o1 | 0o100 | 0o1000, result: 4),
        ]
    }

    /// Hands the records of `count` synthetic processes to `apply`, `batchSize` processes at a time.
    public static func inject(count: Int, timestamp: UInt64, into apply: ([ProbeRecord]) -> Void) {
        var start = 0
        while start < count {
            let end = min(count, start + batchSize)
            apply((start..<end).flatMap { records(index: $0, timestamp: timestamp) })
            start = end
        }
    }
}
#endif
