#if canImport(Glibc)
import Glibc
#endif

/// How many connections the servers hold at most, derived from the process's limit on open
/// descriptors (`RLIMIT_NOFILE`, which the unit raises with `LimitNOFILE=`): a connection costs
/// no thread until it has sent a complete request, so the cap that matters is on descriptors.
///
/// Of the soft limit, `reserved` descriptors stay for the daemon's own use (its BPF programs,
/// maps and links, listeners, the journal, /proc reads, a configuration reload); the metrics
/// listener may hold half of the rest and the query socket a quarter (its clients are local
/// members of one group), so that neither can run the other, or the daemon, out of descriptors.
public enum DescriptorBudget {
    /// Descriptors the connection caps leave to the daemon itself (it uses about 50).
    public static let reserved = 128
    /// The least a cap is, however low the limit.
    public static let minimumCap = 16

    /// `getrlimit(RLIMIT_NOFILE)`'s soft limit (1024 if it cannot be read).
    public static func descriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return limit.rlim_cur >= rlim_t(Int32.max) ? Int(Int32.max) : Int(limit.rlim_cur)
    }

    /// The metrics listener's connection cap: half of the limit minus the reserve.
    public static func httpConnections(limit: Int = descriptorLimit()) -> Int {
        max(minimumCap, (limit - reserved) / 2)
    }

    /// The query socket's connection cap: a quarter of the limit minus the reserve.
    public static func queryConnections(limit: Int = descriptorLimit()) -> Int {
        max(minimumCap, (limit - reserved) / 4)
    }
}
