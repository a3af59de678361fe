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
    /// The ways of opening the attached programs see (`coveredAPIs(byPrograms:)`).
    public let coveredAPIs: Set<OpenAPI>

    private let object: BPFObject
    private let links: Mutex<[BPFLink]>
    private let drops: BPFPerCPUArrayMap<UInt64>
    private let apiOpens: BPFPerCPUArrayMap<UInt64>
    private let missed: BPFHashMap<fileopend_count_key, fileopend_counts>
    private let missedComms: BPFHashMap<fileopend_comm_key, fileopend_counts>
    private let settingsMap: BPFArrayMap<fileopend_settings>
    private let filtered: BPFPerCPUArrayMap<UInt64>
    private let filterMaps: FilterMaps
    /// What the settings map holds: both are written together, as one value.
    private let state: Mutex<KernelSettings>

    /// The settings map's value, as last written.
    struct KernelSettings: Sendable {
        var level: DetailLevel
        var filters: OpenFilters
        /// The generation of the filter maps' entries in force.
        var generation: UInt32

        var value: fileopend_settings {
            fileopend_settings(
                detail_level: level == .counts ? FILEOPEND_LEVEL_COUNTS.rawValue : FILEOPEND_LEVEL_EVENTS.rawValue,
                filters: FilterMaps.word(filters, generation: generation)
            )
        }
    }

    private init(mode: AttachMode, refusals: [AttachRefusal], settings: ProbeSettings, object: BPFObject, links: [BPFLink]) throws(BPFError) {
        self.mode = mode
        self.refusals = refusals
        self.settings = settings
        self.object = object
        self.links = Mutex(links)
        coveredAPIs = Self.coveredAPIs(byPrograms: Set(links.map(\.programName)))
        ringBuffer = try RingBuffer(map: object.map(named: Names.Map.events))
        drops = try object.perCPUArrayMap(named: Names.Map.drops)
        apiOpens = try object.perCPUArrayMap(named: Names.Map.api_opens)
        missed = try object.hashMap(named: Names.Map.missed)
        missedComms = try object.hashMap(named: Names.Map.missed_comms)
        settingsMap = try BPFArrayMap(object.map(named: Names.Map.settings))
        filtered = try object.perCPUArrayMap(named: Names.Map.filtered)
        filterMaps = try FilterMaps(object)
        state = Mutex(Self.initialSettings(settings))
    }

    /// What `load` writes into the settings map: the filters in the first generation.
    private static func initialSettings(_ settings: ProbeSettings) -> KernelSettings {
        KernelSettings(level: settings.detailLevel, filters: settings.filters, generation: 1)
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
        // The level and the filters in force from the first open: the programs run from their
        // attachment, before the probe exists to set them.
        let initial = initialSettings(settings)
        if !settings.filters.isEmpty {
            try FilterMaps(object).fill(settings.filters, generation: initial.generation, hierarchy: CgroupHierarchy.detect())
        }
        try BPFArrayMap<fileopend_settings>(object.map(named: Names.Map.settings)).update(0, initial.value)
        return object
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
    public var detailLevel: DetailLevel { state.withLock { $0.level } }

    /// The filters in force.
    public var filters: OpenFilters { state.withLock { $0.filters } }

    /// Switches the detail level while attached, through the program's `settings` map: every open
    /// from then on is recorded (events) or counted in the kernel (counts). No open is lost or
    /// counted twice: each is either a record or a count, and both are folded in.
    public func setDetailLevel(_ newLevel: DetailLevel) throws(BPFError) {
        try state.withLock { (current: inout KernelSettings) throws(BPFError) in
            var next = current
            next.level = newLevel
            try settingsMap.update(0, next.value)
            current = next
        }
    }

    /// Replaces the filters while attached: the new rules are written as the maps' next
    /// generation (the cgroups of named units marked by a walk of `hierarchy`), the settings
    /// map's word switches to it in one write, then the old generation is deleted. An open is
    /// judged by the old filters or by the new ones, never by a mix: by the caller's uid, comm
    /// and cgroup at its entry where the mode has one (an open in flight at the switch is judged
    /// at exit by failed-only as now in force), so each open is counted once or filtered once.
    /// On a failure the filters in force stay. (`bpf_map_update_elem`/`bpf_map_delete_elem` on
    /// the filter maps, then on the settings map.)
    public func setFilters(_ newFilters: OpenFilters, hierarchy: CgroupHierarchy) throws(BPFError) {
        try state.withLock { (current: inout KernelSettings) throws(BPFError) in
            var next = current
            next.filters = newFilters
            next.generation = FilterMaps.generation(after: current.generation)
            // What a failed change may have left in the next generation goes first.
            try filterMaps.sweep(keeping: current.generation)
            try filterMaps.fill(newFilters, generation: next.generation, hierarchy: hierarchy)
            try settingsMap.update(0, next.value)
            current = next
            // The new filters are in force whatever happens here: an old entry left behind is
            // never read again, and the next change sweeps it first.
            try? filterMaps.sweep(keeping: next.generation)
        }
    }

    /// Opens the kernel filtered out since load, by reason, summed over CPUs.
    public func filteredCounts() throws(BPFError) -> [OpenFilters.Reason: UInt64] {
        var counts: [OpenFilters.Reason: UInt64] = [:]
        for reason in OpenFilters.Reason.allCases {
            counts[reason] = try filtered[UInt32(reason.rawValue)].reduce(0, &+)
        }
        return counts
    }

    /// The kernel program's drop counters, summed over CPUs.
    public func dropCounts() throws(BPFError) -> DropCounts {
        var counts = DropCounts()
        for reason in DropReason.allCases {
            counts[reason] = try drops[UInt32(reason.rawValue)].reduce(0, &+)
        }
        return counts
    }

    /// The opens by io_uring and by open_by_handle_at the kernel program counted (every one, at
    /// both detail levels), summed over CPUs; the system calls are not counted there.
    public func apiOpenCounts() throws(BPFError) -> [OpenAPI: OpenAPICounts] {
        var counts: [OpenAPI: OpenAPICounts] = [:]
        for (api, index) in [(OpenAPI.ioUring, FILEOPEND_API_IO_URING), (.openByHandleAt, FILEOPEND_API_OPEN_BY_HANDLE_AT)] {
            let succeeded = try apiOpens[index.rawValue * 2].reduce(0, &+)
            let failed = try apiOpens[index.rawValue * 2 + 1].reduce(0, &+)
            counts[api] = OpenAPICounts(opens: succeeded &+ failed, failed: failed)
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
        ("open_by_handle_at", Names.Program.tp_enter_open_by_handle_at, Names.Program.tp_exit_open_by_handle_at),
    ]

    /// The programs that see opens submitted through io_uring, in every mode, where the kernel
    /// has the tracepoints: the submit one under its name since 6.2, or under its name before.
    static let ioUringPrograms: [String] = {
        guard BPFKernelFeatures.hasRawTracepoint("io_uring_complete") else { return [] }
        if BPFKernelFeatures.hasRawTracepoint("io_uring_submit_req") {
            return [Names.Program.uring_submit_req, Names.Program.uring_complete]
        }
        if BPFKernelFeatures.hasRawTracepoint("io_uring_submit_sqe") {
            return [Names.Program.uring_submit_sqe, Names.Program.uring_complete]
        }
        return []
    }()

    /// Whether the fentry and kprobe modes can hook open_by_handle_at's do_handle_open().
    static let hasHandleOpenFunction = BPFKernelFeatures.hasTraceableFunction("do_handle_open")

    /// The ways of opening a set of attached programs sees: the system calls always; io_uring
    /// with its tracepoints; open_by_handle_at with its hook of the mode's kind.
    static func coveredAPIs(byPrograms programs: Set<String>) -> Set<OpenAPI> {
        var apis: Set<OpenAPI> = [.syscall]
        if programs.contains(Names.Program.uring_complete) { apis.insert(.ioUring) }
        let handlePrograms = [
            Names.Program.fexit_do_handle_open, Names.Program.kretprobe_do_handle_open,
            Names.Program.tp_exit_open_by_handle_at,
        ]
        if !programs.isDisjoint(with: handlePrograms) { apis.insert(.openByHandleAt) }
        return apis
    }

    static func plan(for mode: AttachMode, settings: ProbeSettings) -> [PlannedProgram] {
        let bySection: @Sendable (BPFProgram, ProbeSettings) throws(BPFError) -> BPFLink = { program, _ throws(BPFError) in
            try program.attach()
        }
        // Every mode: process exits, and the v2 cgroups made and removed (attribution).
        let exit = PlannedProgram(program: Names.Program.handle_process_exit, attach: bySection)
        // ... and io_uring's opens through its tracepoints, where the kernel has them.
        let everyMode = ([Names.Program.handle_cgroup_mkdir, Names.Program.handle_cgroup_rmdir] + ioUringPrograms).map {
            PlannedProgram(program: $0, attach: bySection)
        }
        // open_by_handle_at's do_handle_open(), hooked as the mode hooks do_sys_openat2.
        let handleOpen = { (names: [String]) in
            hasHandleOpenFunction ? names.map { PlannedProgram(program: $0, attach: bySection) } : []
        }
        switch mode {
        case .fentry:
            return [PlannedProgram(program: Names.Program.fexit_do_sys_openat2, attach: bySection), exit]
                + handleOpen([Names.Program.fexit_do_handle_open]) + everyMode
        case .kprobe:
            return [
                PlannedProgram(program: Names.Program.kprobe_do_sys_openat2) { program, settings throws(BPFError) in
                    try program.attachKprobe(function: settings.hookFunction)
                },
                PlannedProgram(program: Names.Program.kretprobe_do_sys_openat2) { program, settings throws(BPFError) in
                    try program.attachKprobe(function: settings.hookFunction, returnProbe: true)
                },
                exit,
            ] + handleOpen([Names.Program.kprobe_do_handle_open, Names.Program.kretprobe_do_handle_open]) + everyMode
        case .tracepoint, .auto:
            let parks = parksArguments(mode, settings)
            return tracepointPrograms.filter {
                ProbePreflight.hasSyscallTracepoint($0.syscall, tracefs: settings.tracefsPath)
            }.flatMap { programs in
                (parks ? [programs.enter, programs.exit] : [programs.exit]).map {
                    PlannedProgram(program: $0, attach: bySection)
                }
            } + [exit] + everyMode
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
