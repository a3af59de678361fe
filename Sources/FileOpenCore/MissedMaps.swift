/// One reading of the kernel program's missed maps: what it counted of lost opens per process
/// (with each process's exit, once marked) and, for what did not fit there, per comm.
public struct MissedMaps: Sendable, Equatable {
    /// The `missed` map: per process.
    public var processes: [ProcessIdentity: MissedOpens]
    /// The `missed_comms` map: per comm, for losses the `missed` map had no room for.
    public var comms: [String: MissedOpens]
    /// Entries in each map (a process or comm has one, plus one per errno it failed with).
    public var processEntries: Int
    public var commEntries: Int

    public init(
        processes: [ProcessIdentity: MissedOpens] = [:], comms: [String: MissedOpens] = [:],
        processEntries: Int = 0, commEntries: Int = 0
    ) {
        (self.processes, self.comms, self.processEntries, self.commEntries) = (processes, comms, processEntries, commEntries)
    }
}
