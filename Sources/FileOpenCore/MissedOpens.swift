/// What the kernel program counted of opens whose records were lost — one process's (the
/// program's `missed` map) or, when that map was full, one comm's (`missed_comms`) — cumulative
/// since the first loss, with everything a record would have been counted for but the path; and
/// for a process, the time it exited once the exit program marked it.
public struct MissedOpens: Sendable, Equatable {
    /// Opens without a record; only ever grows.
    public var opens: UInt64 = 0
    /// Of `opens`, by access mode.
    public var reads: UInt64 = 0
    public var writes: UInt64 = 0
    public var readWrites: UInt64 = 0
    /// Of `opens`, those with `O_CREAT`.
    public var creates: UInt64 = 0
    /// Of `opens`, the failures by errno (0 for a result outside the kernel's errno range). An
    /// open lost before its result was known (the pending map was full) counts in no errno.
    public var errors: [Int32: UInt64] = [:]
    /// The comm at the first loss.
    public var comm: String
    /// When the process exited (boot-clock nanoseconds), once the kernel marked it; the entry
    /// then counts nothing more.
    public var exitedAt: UInt64?

    public init(
        opens: UInt64 = 0, reads: UInt64 = 0, writes: UInt64 = 0, readWrites: UInt64 = 0, creates: UInt64 = 0,
        errors: [Int32: UInt64] = [:], comm: String, exitedAt: UInt64? = nil
    ) {
        (self.opens, self.reads, self.writes, self.readWrites, self.creates) = (opens, reads, writes, readWrites, creates)
        (self.errors, self.comm, self.exitedAt) = (errors, comm, exitedAt)
    }

    /// What `self` counted beyond `earlier`, an older reading of the same entry (counts only grow;
    /// a count lower than before, which the kernel never makes, adds nothing).
    public func since(_ earlier: MissedOpens) -> MissedOpens {
        func delta(_ now: UInt64, _ then: UInt64) -> UInt64 { now > then ? now - then : 0 }
        var errors: [Int32: UInt64] = [:]
        for (errno, count) in self.errors where count > earlier.errors[errno, default: 0] {
            errors[errno] = count - earlier.errors[errno, default: 0]
        }
        return MissedOpens(
            opens: delta(opens, earlier.opens), reads: delta(reads, earlier.reads), writes: delta(writes, earlier.writes),
            readWrites: delta(readWrites, earlier.readWrites), creates: delta(creates, earlier.creates),
            errors: errors, comm: comm, exitedAt: exitedAt
        )
    }

    /// Whether it counts anything (a bare exit mark does not).
    public var isEmpty: Bool { opens == 0 && errors.isEmpty }
}
