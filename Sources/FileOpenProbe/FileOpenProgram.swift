public import BPF
import CFileOpend
#if canImport(Glibc)
import Glibc
#endif
public import FileOpenCore
public import Logging
import Synchronization

/// The file-open program of bpf/fileopend.bpf.c, loaded and attached in one mode, with its ring
/// buffer and loss counters. Create it with `attach(settings:logger:)`; `detach()` stops new
/// records, `close()` frees everything (also on deinit).
public final class FileOpenProgram: Sendable {
    /// The mode in use (never `auto`).
    public let mode: AttachMode
    /// Modes tried before `mode` and why each was refused (only with `auto`).
    public let refusals: [AttachRefusal]
    public let settings: ProbeSettings
    /// The ring buffer the program writes its records into.
    public let ringBuffer: RingBuffer<DecodedProbeRecord>

    private let object: BPFObject
    private let links: Mutex<[BPFLink]>
    private let drops: BPFPerCPUArrayMap<UInt64>
    private let missed: BPFHashMap<fileopend_count_key, fileopend_counts>
    private let missedComms: BPFHashMap<fileopend_comm_key, fileopend_counts>
    private let settingsMap: BPFArrayMap<fileopend_settings>
    private let level: Mutex<DetailLevel>

    private init(mode: AttachMode, refusals: [AttachRefusal], settings: ProbeSettings, object: BPFObject, links: [BPFLink]) throws(BPFError) {
        self.mode = mode
        self.refusals = refusals
        self.settings = settings
        self.object = object
        self.links = Mutex(links)
        ringBuffer = try RingBuffer(map: object.map(named: Names.Map.events))
        drops = try object.perCPUArrayMap(named: Names.Map.drops)
        missed = try object.hashMap(named: Names.Map.missed)
        missedComms = try object.hashMap(named: Names.Map.missed_comms)
        settingsMap = try BPFArrayMap(object.map(named: Names.Map.settings))
        level = Mutex(settings.detailLevel)
        try setDetailLevel(settings.detailLevel)
    }

    deinit {
        close()
    }

    /// Checks the environment, then loads and attaches the program in `settings.mode`; with
    /// `auto`, tries fentry, kprobe and tracepoint in turn and logs one line (info) for each
    /// refused mode with its reason. libbpf's own messages (verifier log included) go to `logger`
    /// from here on: at their own level, except those of a mode that `auto` then falls back from,
    /// which are an expected outcome's detail and go at debug. Attaches one at a time in a
    /// process: libbpf has one print callback, and one attempt's held messages must not take in
    /// another's (tests attach several probes at once).
    public static func attach(settings: ProbeSettings, logger: Logger) throws(ProbeError) -> FileOpenProgram {
        try attaching.withLock { _ throws(ProbeError) in try attachAlone(settings: settings, logger: logger) }
    }

    private static let attaching = Mutex(())

    private static func attachAlone(settings: ProbeSettings, logger: Logger) throws(ProbeError) -> FileOpenProgram {
        BPFLibraryLog.route(to: logger)
        try validate(settings)
        try ProbePreflight.check(settings)
        let settings = resolved(settings)
        let candidates = settings.mode == .auto ? AttachMode.preference : [settings.mode]
        var refusals: [AttachRefusal] = []
        for mode in candidates {
            let (outcome, libbpfMessages) = BPFLibraryLog.holding { attempt(mode, settings: settings) }
            let next = candidates.drop(while: { $0 != mode }).dropFirst().first
            let fallsBack: Bool = if case .failure = outcome { next != nil } else { false }
            BPFLibraryLog.log(libbpfMessages, at: fallsBack ? .debug : nil)
            switch outcome {
            case .success(let (object, links)):
                do {
                    let probe = try FileOpenProgram(
                        mode: mode, refusals: refusals, settings: settings, object: object, links: links
                    )
                    logger.info("attached in \(mode) mode", metadata: [
                        "programs": "\(links.map(\.programName).joined(separator: ","))",
                        "ring_buffer_bytes": "\(settings.ringBufferBytes)",
                        "detail_level": "\(settings.detailLevel)",
                    ])
                    return probe
                } catch {
                    throw ProbeError.bpf(error)
                }
            case .failure(let refusal):
                refusals.append(refusal)
                if let next {
                    logger.info("\(refusal); trying \(next)")
                } else {
                    logger.warning("\(refusal)")
                }
            }
        }
        throw ProbeError.noAttachModeWorked(refusals)
    }

    /// Opens the embedded object, configures it and loads only the programs of `mode` into the
    /// kernel, without attaching: the verifier's verdict on that mode.
    public static func load(mode: AttachMode, settings: ProbeSettings) throws(BPFError) -> BPFObject {
        let settings = resolved(settings)
        let object = try BPFObject(bytes: EmbeddedBPF.fileopend, name: "fileopend")
        let wanted = Set(plan(for: mode, settings: settings).map(\.program))
        for name in object.programNames {
            try object.program(named: name).setAutoload(wanted.contains(name))
        }
        if mode == .fentry {
            try object.program(named: Names.Program.fexit_do_sys_openat2).setAttachTarget(function: settings.hookFunction)
        }
        try object.setGlobal(Names.Global.excluded_tgid, to: UInt32(bitPattern: settings.excludedProcess))
        try object.setGlobal(Names.Global.wakeup_bytes, to: UInt64(settings.effectiveWakeupBytes))
        let parks = parksArguments(mode, settings)
        try object.setGlobal(Names.Global.args_at_exit, to: !parks)
        try object.map(named: Names.Map.events).setMaxEntries(settings.ringBufferBytes)
        // Unused without parking: one entry, as a map must have.
        try object.map(named: Names.Map.pending).setMaxEntries(parks ? settings.pendingOpensCapacity : 1)
        try object.map(named: Names.Map.missed).setMaxEntries(settings.missedMapCapacity)
        try object.map(named: Names.Map.missed_comms).setMaxEntries(settings.missedCommMapCapacity)
        try object.load()
        // The level in force from the first open: the programs run from their attachment, before
        // the probe exists to set it.
        try BPFArrayMap<fileopend_settings>(object.map(named: Names.Map.settings)).update(0, settingsValue(settings.detailLevel))
        return object
    }

    /// The `settings` map's value for `level`.
    static func settingsValue(_ level: DetailLevel) -> fileopend_settings {
        fileopend_settings(
            detail_level: level == .counts ? FILEOPEND_LEVEL_COUNTS.rawValue : FILEOPEND_LEVEL_EVENTS.rawValue, reserved: 0
        )
    }

    /// `settings` with `argumentsAtExit` decided: whether this kernel lets tracepoint programs
    /// read the task's saved registers (`bpf_task_pt_regs()` on a BTF task).
    static func resolved(_ settings: ProbeSettings) -> ProbeSettings {
        guard settings.argumentsAtExit == nil else { return settings }
        var settings = settings
        settings.argumentsAtExit = [BPFKernelFeatures.Helper.getCurrentTaskBTF, .taskPtRegs].allSatisfy {
            BPFKernelFeatures.supports($0, in: .tracepoint)
        }
        return settings
    }

    /// Whether `mode` parks each open's arguments at entry for its exit (kprobe always; the
    /// tracepoint mode when it cannot read them from the registers at exit).
    static func parksArguments(_ mode: AttachMode, _ settings: ProbeSettings) -> Bool {
        switch mode {
        case .fentry: false
        case .kprobe: true
        case .tracepoint, .auto: settings.argumentsAtExit != true
        }
    }

    /// The detail level in force.
    public var detailLevel: DetailLevel { level.withLock { $0 } }

    /// Switches the detail level while attached, through the program's `settings` map: every open
    /// from then on is recorded (events) or counted in the kernel (counts). No open is lost or
    /// counted twice: each is either a record or a count, and both are folded in.
    public func setDetailLevel(_ newLevel: DetailLevel) throws(BPFError) {
        try level.withLock { (current: inout DetailLevel) throws(BPFError) in
            try settingsMap.update(0, Self.settingsValue(newLevel))
            current = newLevel
        }
    }

    /// The kernel program's drop counters, summed over CPUs.
    public func dropCounts() throws(BPFError) -> DropCounts {
        var counts = DropCounts()
        for reason in DropReason.allCases {
            counts[reason] = try drops[UInt32(reason.rawValue)].reduce(0, &+)
        }
        return counts
    }

    /// What the kernel counted itself (opens whose records were lost; at the counts level every
    /// open), per process (with each process's exit once marked) and per comm, since each was
    /// first counted.
    public func missedOpens() throws(BPFError) -> MissedMaps {
        let processEntries = try missed.entries()
        let commEntries = try missedComms.entries()
        var reading = MissedMaps(processEntries: processEntries.count, commEntries: commEntries.count)
        for (key, value) in processEntries {
            let identity = ProcessIdentity(pid: Int32(bitPattern: key.tgid), startTime: key.start_ns)
            Self.add(value, error: key.error, to: &reading.processes[identity])
            let inCgroup = MissedMaps.CgroupKey(process: identity, cgroup: key.cgroup_id)
            if reading.cgroups[inCgroup] == nil { reading.processCgroups[identity, default: []].append(key.cgroup_id) }
            Self.add(value, error: key.error, to: &reading.cgroups[inCgroup])
        }
        for (key, value) in commEntries {
            Self.add(value, error: key.error, to: &reading.comms[withUnsafeBytes(of: key.comm) { KernelString.decode($0) }])
        }
        return reading
    }

    /// Deletes a process's entries from the missed map (in each cgroup it counted in, one per
    /// result: success, and each errno it failed with), once it has exited and they have been
    /// folded for the last time.
    public func forgetMissed(
        _ process: ProcessIdentity, errnos: some Sequence<Int32>, cgroups: some Sequence<UInt64>
    ) throws(BPFError) {
        let errors = [0] + errnos.map { $0 == 0 ? UInt32(FILEOPEND_ERROR_UNKNOWN) : UInt32($0) }
        for cgroup in cgroups {
            for error in errors {
                try missed.delete(fileopend_count_key(
                    start_ns: process.startTime, cgroup_id: cgroup, tgid: UInt32(bitPattern: process.pid), error: error
                ))
            }
        }
    }

    /// Adds one entry (one owner's opens with one result) to the owner's counts: every entry adds
    /// opens by access mode; an errno entry's opens are those failures; the error-0 entry of a
    /// process carries its exit mark.
    static func add(_ value: fileopend_counts, error: UInt32, to counts: inout MissedOpens?) {
        let comm = withUnsafeBytes(of: value.comm) { KernelString.decode($0) }
        var total = counts ?? MissedOpens(comm: comm)
        let opens = value.reads &+ value.writes &+ value.read_writes
        total.opens += opens
        total.reads += value.reads
        total.writes += value.writes
        total.readWrites += value.read_writes
        total.creates += value.creates
        if error == 0 {
            total.comm = comm
            // A process that moved has an error-0 entry per cgroup; the exit marks one of them.
            if value.exit_ns != 0 { total.exitedAt = max(total.exitedAt ?? 0, value.exit_ns) }
        } else {
            total.errors[error == UInt32(FILEOPEND_ERROR_UNKNOWN) ? 0 : Int32(bitPattern: error), default: 0] += opens
        }
        counts = total
    }

    /// Program ids and recursion misses of the loaded programs (`bpftool prog show` ids).
    public func programInfo() throws(BPFError) -> [String: BPFProgramInfo] {
        var info: [String: BPFProgramInfo] = [:]
        for name in links.withLock({ $0.map(\.programName) }) {
            info[name] = try object.program(named: name).info()
        }
        return info
    }

    /// Detaches every program: no new records arrive, the ring and maps stay readable for a final
    /// drain. Idempotent.
    public func detach() {
        let current = links.withLock { links in
            defer { links.removeAll() }
            return links
        }
        for link in current { link.destroy() }
    }

    /// Detaches, then frees the ring buffer consumer and the object. Idempotent.
    public func close() {
        detach()
        ringBuffer.close()
        object.close()
    }

    // MARK: - Attach modes

    /// One program of a mode and how it attaches.
    struct PlannedProgram {
        let program: String
        let attach: @Sendable (BPFProgram, ProbeSettings) throws(BPFError) -> BPFLink
    }

    /// The names the object's maps, programs and globals are used by, checked at build time
    /// (`BPFSkeleton`, generated by BPFCompilerPlugin from the compiled object).
    private typealias Names = BPFSkeleton.Fileopend

    /// The tracepoint mode's programs, per syscall: at entry (parking the arguments) and at exit.
    static let tracepointPrograms: [(syscall: String, enter: String, exit: String)] = [
        ("open", Names.Program.tp_enter_open, Names.Program.tp_exit_open),
        ("openat", Names.Program.tp_enter_openat, Names.Program.tp_exit_openat),
        ("openat2", Names.Program.tp_enter_openat2, Names.Program.tp_exit_openat2),
        ("creat", Names.Program.tp_enter_creat, Names.Program.tp_exit_creat),
    ]

    static func plan(for mode: AttachMode, settings: ProbeSettings) -> [PlannedProgram] {
        let bySection: @Sendable (BPFProgram, ProbeSettings) throws(BPFError) -> BPFLink = { program, _ throws(BPFError) in
            try program.attach()
        }
        // Every mode: process exits, and the v2 cgroups made and removed (attribution).
        let exit = PlannedProgram(program: Names.Program.handle_process_exit, attach: bySection)
        let cgroups = [Names.Program.handle_cgroup_mkdir, Names.Program.handle_cgroup_rmdir].map {
            PlannedProgram(program: $0, attach: bySection)
        }
        switch mode {
        case .fentry:
            return [PlannedProgram(program: Names.Program.fexit_do_sys_openat2, attach: bySection), exit] + cgroups
        case .kprobe:
            return [
                PlannedProgram(program: Names.Program.kprobe_do_sys_openat2) { program, settings throws(BPFError) in
                    try program.attachKprobe(function: settings.hookFunction)
                },
                PlannedProgram(program: Names.Program.kretprobe_do_sys_openat2) { program, settings throws(BPFError) in
                    try program.attachKprobe(function: settings.hookFunction, returnProbe: true)
                },
                exit,
            ] + cgroups
        case .tracepoint, .auto:
            let parks = parksArguments(mode, settings)
            return tracepointPrograms.filter {
                ProbePreflight.hasSyscallTracepoint($0.syscall, tracefs: settings.tracefsPath)
            }.flatMap { programs in
                (parks ? [programs.enter, programs.exit] : [programs.exit]).map {
                    PlannedProgram(program: $0, attach: bySection)
                }
            } + [exit] + cgroups
        }
    }

    private static func attempt(
        _ mode: AttachMode, settings: ProbeSettings
    ) -> Result<(BPFObject, [BPFLink]), AttachRefusal> {
        let object: BPFObject
        do {
            object = try load(mode: mode, settings: settings)
        } catch {
            return .failure(refusal(mode, .load, error, settings: settings))
        }
        var links: [BPFLink] = []
        for planned in plan(for: mode, settings: settings) {
            do {
                links.append(try planned.attach(object.program(named: planned.program), settings))
            } catch {
                links.forEach { $0.destroy() }
                object.close()
                return .failure(refusal(mode, .attach, error, settings: settings))
            }
        }
        return .success((object, links))
    }

    private static func validate(_ settings: ProbeSettings) throws(ProbeError) {
        let size = settings.ringBufferBytes
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard size >= page, size & (size - 1) == 0 else {
            throw ProbeError.invalidSetting("ring buffer size \(size) must be a power of two of at least \(page) bytes")
        }
        guard settings.pendingOpensCapacity > 0, settings.missedMapCapacity > 0, settings.missedCommMapCapacity > 0 else {
            throw ProbeError.invalidSetting("the pending and missed maps' capacities must be positive")
        }
    }

    /// What a failure most likely means, so the log says more than an errno.
    private static func refusal(
        _ mode: AttachMode, _ stage: AttachRefusal.Stage, _ error: BPFError, settings: ProbeSettings
    ) -> AttachRefusal {
        let hook = settings.hookFunction
        let explanation: String = switch (mode, stage, error.errno) {
        case (.fentry, .load, EPERM?) where ProbePreflight.ftraceLockedDown(tracefs: settings.tracefsPath):
            "ftrace is locked down (reading \(settings.tracefsPath)/available_filter_functions is not permitted), "
                + "and fentry/fexit programs attach through it"
        case (.fentry, .load, EPERM?), (.fentry, .load, ENOTSUPP?), (.fentry, .load, EOPNOTSUPP?):
            "the kernel refuses fentry/fexit programs (ftrace locked down or BPF trampolines unsupported)"
        case (.fentry, .load, ESRCH?), (.fentry, .load, ENOENT?):
            "\(hook) is not in the kernel's BTF"
        case (.kprobe, .attach, _) where !ProbePreflight.kernelHasKprobes(tracefs: settings.tracefsPath):
            "the kernel has no kprobes (no kprobe PMU, no kprobe_events in tracefs: CONFIG_KPROBES off)"
        case (.kprobe, .attach, ENOENT?), (.kprobe, .attach, EINVAL?):
            "no kprobe on \(hook): the function is absent, inlined or blacklisted for probing"
        case (.kprobe, .attach, EOPNOTSUPP?), (.kprobe, .attach, ENOTSUPP?):
            "the kernel has no kprobe support (CONFIG_KPROBES off)"
        case (.tracepoint, .attach, ENOENT?):
            "a syscall tracepoint is missing (CONFIG_FTRACE_SYSCALLS off?) or tracefs is unreadable"
        case (_, .load, EACCES?), (_, .load, EINVAL?):
            "the verifier rejected a program (see the libbpf log above)"
        default:
            "\(mode) \(stage.rawValue) failed"
        }
        return AttachRefusal(mode: mode, stage: stage, error: error, explanation: explanation)
    }
}

/// ENOTSUPP is kernel-internal (524), not in libc's headers, yet bpf(2) returns it.
private let ENOTSUPP: Int32 = 524
