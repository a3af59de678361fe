import CLibbpf
#if canImport(Glibc)
import Glibc
#endif

/// One program of a `BPFObject` (`struct bpf_program`), named by its C function. Configure it
/// before load (autoload, attach target); attach it after, which returns an owning `BPFLink`.
public struct BPFProgram: Sendable {
    /// The object that owns the program; kept alive by this value.
    public let object: BPFObject
    /// The C function name (`bpf_program__name`).
    public let name: String

    init(object: BPFObject, name: String) {
        self.object = object
        self.name = name
    }

    /// The ELF section, which says how it attaches, e.g. `tp/syscalls/sys_enter_openat`
    /// (`bpf_program__section_name`).
    public var sectionName: String {
        get throws(BPFError) {
            try withProgram("bpf_program__section_name") { String(cString: bpf_program__section_name($0)) }
        }
    }

    /// Whether `load()` loads this program (`bpf_program__autoload`); all do by default.
    public var autoload: Bool {
        get throws(BPFError) {
            try withProgram("bpf_program__autoload") { bpf_program__autoload($0) }
        }
    }

    /// Includes or leaves out this program at load (`bpf_program__set_autoload`), e.g. to load only
    /// the programs of one attach mode.
    public func setAutoload(_ autoload: Bool) throws(BPFError) {
        try withProgram("bpf_program__set_autoload(\(name))", requiring: .unloaded) { (program: OpaquePointer) throws(BPFError) in
            let result = bpf_program__set_autoload(program, autoload)
            guard result == 0 else { throw BPFError.failed("bpf_program__set_autoload(\(name))", returned: result) }
        }
    }

    /// Changes the kernel function an fentry/fexit program traces (`bpf_program__set_attach_target`).
    public func setAttachTarget(function: String) throws(BPFError) {
        try withProgram("bpf_program__set_attach_target(\(name))", requiring: .unloaded) { (program: OpaquePointer) throws(BPFError) in
            let result = bpf_program__set_attach_target(program, 0, function)
            guard result == 0 else {
                throw BPFError.failed("bpf_program__set_attach_target(\(name), \(function))", returned: result)
            }
        }
    }

    /// The loaded program's descriptor (`bpf_program__fd`), owned by the object. A program left out
    /// of the load (`setAutoload(false)`) has none: that throws `callFailed` with ENOENT.
    public var fileDescriptor: Int32 {
        get throws(BPFError) {
            try withProgram("bpf_program__fd(\(name))", requiring: .loaded) { (program: OpaquePointer) throws(BPFError) in
                let fd = bpf_program__fd(program)
                guard fd >= 0 else { throw BPFError.failed("bpf_program__fd(\(name))", returned: fd) }
                return fd
            }
        }
    }

    /// Attaches as the section name says (`bpf_program__attach`): tracepoint, kprobe, fentry, …
    public func attach() throws(BPFError) -> BPFLink {
        try makeLink("bpf_program__attach(\(name))") { bpf_program__attach($0) }
    }

    /// Attaches a kprobe or kretprobe program to `function` (`bpf_program__attach_kprobe`).
    public func attachKprobe(function: String, returnProbe: Bool = false) throws(BPFError) -> BPFLink {
        try makeLink("bpf_program__attach_kprobe(\(name), \(function))") {
            bpf_program__attach_kprobe($0, returnProbe, function)
        }
    }

    /// Attaches a tracepoint program to `category:name` (`bpf_program__attach_tracepoint`).
    public func attachTracepoint(category: String, name tracepoint: String) throws(BPFError) -> BPFLink {
        try makeLink("bpf_program__attach_tracepoint(\(name), \(category)/\(tracepoint))") {
            bpf_program__attach_tracepoint($0, category, tracepoint)
        }
    }

    /// Runs the program once in the kernel with `context` as its input (`bpf_prog_test_run_opts`),
    /// for program types that support it (e.g. `SEC("syscall")`), and returns its return value.
    public func run(context: [UInt8] = []) throws(BPFError) -> UInt32 {
        let fd = try fileDescriptor
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: max(context.count, 1), alignment: 8)
        defer { input.deallocate() }
        input.copyBytes(from: context)
        var options = bpf_test_run_opts()
        options.sz = MemoryLayout<bpf_test_run_opts>.size
        if !context.isEmpty {
            options.ctx_in = UnsafeRawPointer(input.baseAddress)
            options.ctx_size_in = UInt32(context.count)
        }
        let result = bpf_prog_test_run_opts(fd, &options)
        guard result == 0 else { throw BPFError.failed("bpf_prog_test_run_opts(\(name))", returned: result) }
        return options.retval
    }

    /// The kernel's view of the loaded program (`bpf_obj_get_info_by_fd`): its id (as `bpftool
    /// prog` shows), and how often the kernel skipped it to avoid recursion.
    public func info() throws(BPFError) -> BPFProgramInfo {
        let fd = try fileDescriptor
        var info = bpf_prog_info()
        var length = UInt32(MemoryLayout<bpf_prog_info>.size)
        let result = bpf_obj_get_info_by_fd(fd, &info, &length)
        guard result == 0 else { throw BPFError.failed("bpf_obj_get_info_by_fd(\(name))", returned: result) }
        return BPFProgramInfo(id: info.id, recursionMisses: info.recursion_misses)
    }

    private func makeLink(_ operation: String, _ attach: (OpaquePointer) -> OpaquePointer?) throws(BPFError) -> BPFLink {
        try withProgram(operation, requiring: .loaded) { (program: OpaquePointer) throws(BPFError) -> BPFLink in
            guard let link = attach(program) else { throw BPFError.failed(operation) }
            return BPFLink(address: UInt(bitPattern: link), programName: name, object: object)
        }
    }

    private func withProgram<Result>(
        _ operation: String, requiring requirement: BPFObject.LoadRequirement = .any,
        _ body: (OpaquePointer) throws(BPFError) -> sending Result
    ) throws(BPFError) -> sending Result {
        try object.withObject(operation, requiring: requirement) { (object: OpaquePointer) throws(BPFError) -> Result in
            guard let program = bpf_object__find_program_by_name(object, name) else {
                throw BPFError.programNotFound(name: name, available: [])
            }
            return try body(program)
        }
    }
}

/// What the kernel reports about a loaded program.
public struct BPFProgramInfo: Sendable, Equatable {
    /// The program id, as `bpftool prog show` lists it.
    public let id: UInt32
    /// Times the kernel did not run the program because another BPF program was already running
    /// on that CPU (`bpf_prog_info.recursion_misses`): events the program never saw.
    public let recursionMisses: UInt64
}
