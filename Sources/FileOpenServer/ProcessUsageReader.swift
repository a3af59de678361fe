public import FileOpenCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Reads this process's resource use from /proc for the standard `process_*` metrics, the way the
/// Prometheus client libraries do: /proc/self/stat (CPU time, memory, start), /proc/self/fd
/// (open descriptors), getrlimit(RLIMIT_NOFILE) (their maximum).
public struct ProcessUsageReader: Sendable {
    private let ticksPerSecond: Double
    private let pageSize: UInt64
    /// Boot time in seconds since the epoch (/proc/stat `btime`), to place the start time.
    private let bootTime: Double?

    public init() {
        ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        pageSize = UInt64(sysconf(Int32(_SC_PAGESIZE)))
        let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8)
        bootTime = stat?.split(separator: "\n").first { $0.hasPrefix("btime ") }
            .flatMap { Double($0.dropFirst("btime ".count)) }
    }

    /// The current figures, or nil when /proc/self/stat cannot be read or parsed.
    public func read() -> ProcessUsage? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let fields = Self.fieldsAfterComm(stat), fields.count > 21,
              let userTicks = Double(fields[11]), let systemTicks = Double(fields[12]),
              let startTicks = Double(fields[19]), let virtualBytes = UInt64(fields[20]),
              let residentPages = UInt64(fields[21])
        else { return nil }
        var limit = rlimit()
        let maxDescriptors = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 ? UInt64(limit.rlim_cur) : 0
        // The listing itself holds one descriptor open while it runs.
        let openDescriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count)
            .map { UInt64(max(0, $0 - 1)) } ?? 0
        return ProcessUsage(
            cpuSeconds: (userTicks + systemTicks) / ticksPerSecond,
            residentBytes: residentPages * pageSize,
            virtualBytes: virtualBytes,
            openFileDescriptors: openDescriptors,
            maxFileDescriptors: maxDescriptors,
            startTimeSeconds: (bootTime ?? 0) + startTicks / ticksPerSecond
        )
    }

    /// The fields of /proc/self/stat after the comm, which is in parentheses and may itself hold
    /// spaces and parentheses: split after its last ')'. Field 3 (state) is index 0.
    static func fieldsAfterComm(_ stat: String) -> [Substring]? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
    }
}
