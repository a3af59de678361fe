/// One reading of the kernel program's missed maps: what it counted of lost opens per process
/// (with each process's exit, once marked) and, for what did not fit there, per comm.
public struct MissedMaps: Sendable, Equatable {
    /// A process in one v2 cgroup: how the `missed` map keeps its counts apart.
    public struct CgroupKey: Hashable, Sendable {
        public var process: ProcessIdentity
        public var cgroup: UInt64

        public init(process: ProcessIdentity, cgroup: UInt64) {
            self.process = process
            self.cgroup = cgroup
        }
    }

    /// The `missed` map: per process (over every cgroup it counted in).
    public var processes: [ProcessIdentity: MissedOpens]
    /// The same entries per process and cgroup (what the per-unit totals count).
    public var cgroups: [CgroupKey: MissedOpens]
    /// The cgroups each process has entries in (to delete them all once it has exited).
    public var processCgroups: [ProcessIdentity: [UInt64]] = [:]
    /// The `missed_comms` map: per comm, for losses the `missed` map had no room for.
    public var comms: [String: MissedOpens]
    /// Entries in each map (a process or comm has one, plus one per errno it failed with).
    public var processEntries: Int
    public var commEntries: Int

    public init(
        processes: [ProcessIdentity: MissedOpens] = [:], comms: [String: MissedOpens] = [:],
        processEntries: Int = 0, commEntries: Int = 0, cgroups: [CgroupKey: MissedOpens] = [:]
    ) {
        (self.processes, self.comms, self.processEntries, self.commEntries) = (processes, comms, processEntries, commEntries)
        self.cgroups = cgroups
    }
}
