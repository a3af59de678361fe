import CLibbpf
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A BPF ELF object (`struct bpf_object`): its programs and maps, opened, configured, loaded into
/// the kernel, and closed when the last reference goes (or on `close()`).
///
/// Life cycle: open (`init(bytes:name:)` / `init(path:)`), configure (program autoload, attach
/// targets, map sizes, `setGlobal`), `load()`, then attach programs and use maps. Programs, maps,
/// links and ring buffers keep their object alive.
public final class BPFObject: Sendable {
    /// The object's name (libbpf's object name, used in its log lines).
    public let name: String

    private struct State: ~Copyable {
        var object: OpaquePointer?
        /// libbpf parses the ELF in place until load, so the bytes must outlive `bpf_object__load`.
        var image: UnsafeMutableRawBufferPointer?
        var loaded = false
    }

    private let state: Mutex<State>

    /// Opens an object from ELF bytes (`bpf_object__open_mem`), e.g. one embedded by the
    /// BPFCompilerPlugin. Nothing reaches the kernel until `load()`.
    public init(bytes: [UInt8], name: String) throws(BPFError) {
        let image = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { image.copyMemory(from: $0) }
        let object: OpaquePointer? = name.withCString { cName in
            var options = bpf_object_open_opts()
            options.sz = MemoryLayout<bpf_object_open_opts>.size
            options.object_name = cName
            return bpf_object__open_mem(image.baseAddress, bytes.count, &options)
        }
        guard let object else {
            let error = BPFError.failed("bpf_object__open_mem(\(name))")
            image.deallocate()
            throw error
        }
        self.name = name
        self.state = Mutex(State(object: object, image: image))
    }

    /// Opens an object from an ELF file (`bpf_object__open_file`).
    public init(path: String) throws(BPFError) {
        guard let object = bpf_object__open_file(path, nil) else {
            throw BPFError.failed("bpf_object__open_file(\(path))")
        }
        self.name = String(cString: bpf_object__name(object))
        self.state = Mutex(State(object: object))
    }

    deinit {
        close()
    }

    /// Unloads every program and map of this object and frees it (`bpf_object__close`). Links
    /// already made keep their programs attached until they are destroyed. Idempotent.
    public func close() {
        state.withLock { state in
            if let object = state.object { bpf_object__close(object) }
            state.image?.deallocate()
            state.object = nil
            state.image = nil
        }
    }

    /// Whether `load()` has succeeded.
    public var isLoaded: Bool { state.withLock { $0.loaded } }

    /// Creates the maps, relocates and verifies the programs marked for autoload, and loads them
    /// into the kernel (`bpf_object__load`). The verifier's log goes to `BPFLibraryLog`.
    /// libbpf allows one attempt per object: after a failure, open a new object.
    public func load() throws(BPFError) {
        try state.withLock { (state: inout State) throws(BPFError) in
            guard let object = state.object else { throw BPFError.closed(operation: "bpf_object__load") }
            guard !state.loaded else { throw BPFError.alreadyLoaded(operation: "bpf_object__load") }
            let result = bpf_object__load(object)
            guard result == 0 else { throw BPFError.failed("bpf_object__load(\(name))", returned: result) }
            state.loaded = true
            state.image?.deallocate()
            state.image = nil
        }
    }

    /// The names of the object's programs (their C function names), in ELF order.
    public var programNames: [String] {
        (try? withObject("bpf_object__next_program") { object in
            var names: [String] = []
            var program = bpf_object__next_program(object, nil)
            while let current = program {
                names.append(String(cString: bpf_program__name(current)))
                program = bpf_object__next_program(object, current)
            }
            return names
        }) ?? []
    }

    /// The names of the object's maps, including libbpf's internal `.rodata`/`.bss` maps.
    public var mapNames: [String] {
        (try? withObject("bpf_object__next_map") { object in
            var names: [String] = []
            var map = bpf_object__next_map(object, nil)
            while let current = map {
                names.append(String(cString: bpf_map__name(current)))
                map = bpf_object__next_map(object, current)
            }
            return names
        }) ?? []
    }

    /// The program whose C function is `name` (`bpf_object__find_program_by_name`).
    public func program(named name: String) throws(BPFError) -> BPFProgram {
        let exists = try withObject("bpf_object__find_program_by_name") { bpf_object__find_program_by_name($0, name) != nil }
        guard exists else { throw BPFError.programNotFound(name: name, available: programNames) }
        return BPFProgram(object: self, name: name)
    }

    /// The map called `name` (`bpf_object__find_map_by_name`), untyped; see the typed accessors
    /// `hashMap`, `arrayMap`, `perCPUArrayMap` and `RingBuffer(map:)`.
    public func map(named name: String) throws(BPFError) -> BPFMap {
        let found = try withObject("bpf_object__find_map_by_name") { object -> BPFMap? in
            guard let map = bpf_object__find_map_by_name(object, name) else { return nil }
            return BPFMap(object: self, name: name, map: map)
        }
        guard let found else { throw BPFError.mapNotFound(name: name, available: mapNames) }
        return found
    }

    /// Sets a global variable before load, typically a `const volatile` setting in `.rodata`
    /// (through `bpf_map__initial_value`; the variable's offset comes from the object's BTF).
    public func setGlobal<Value: BitwiseCopyable>(_ name: String, to value: Value) throws(BPFError) {
        try withObject("setGlobal(\(name))", requiring: .unloaded) { (object: OpaquePointer) throws(BPFError) in
            guard let btf = bpf_object__btf(object) else { throw BPFError.variableNotFound(name: name) }
            for section in [".rodata", ".data", ".bss"] {
                guard let variable = Self.findVariable(name, inSection: section, btf: btf) else { continue }
                guard variable.size == MemoryLayout<Value>.size else {
                    throw BPFError.wrongVariableSize(name: name, size: MemoryLayout<Value>.size, expectedSize: variable.size)
                }
                guard let map = bpf_object__find_map_by_name(object, section) else { continue }
                var dataSize = 0
                guard let current = bpf_map__initial_value(map, &dataSize), variable.offset + variable.size <= dataSize else {
                    throw BPFError.failed("bpf_map__initial_value(\(section))")
                }
                var data = [UInt8](UnsafeRawBufferPointer(start: current, count: dataSize))
                withUnsafeBytes(of: value) { bytes in
                    data.replaceSubrange(variable.offset..<variable.offset + variable.size, with: bytes)
                }
                let result = bpf_map__set_initial_value(map, data, dataSize)
                guard result == 0 else { throw BPFError.failed("bpf_map__set_initial_value(\(section))", returned: result) }
                return
            }
            throw BPFError.variableNotFound(name: name)
        }
    }

    /// When a use of the object is allowed.
    enum LoadRequirement {
        case any, loaded, unloaded
    }

    /// Runs `body` with the live `struct bpf_object *`, serialized with every other use, after
    /// checking that the object is open and in the load state the operation needs.
    func withObject<Result>(
        _ operation: String, requiring requirement: LoadRequirement = .any,
        _ body: (OpaquePointer) throws(BPFError) -> sending Result
    ) throws(BPFError) -> sending Result {
        try state.withLock { (state: inout State) throws(BPFError) -> Result in
            guard let object = state.object else { throw BPFError.closed(operation: operation) }
            switch requirement {
            case .loaded where !state.loaded: throw BPFError.notLoaded(operation: operation)
            case .unloaded where state.loaded: throw BPFError.alreadyLoaded(operation: operation)
            default: return try body(object)
            }
        }
    }

    private static func findVariable(
        _ name: String, inSection section: String, btf: OpaquePointer
    ) -> (offset: Int, size: Int)? {
        // BTF_KIND_DATASEC is both a macro and an enum constant in the C headers: ambiguous in Swift.
        let btfKindDataSection: UInt32 = 15
        let sectionID = btf__find_by_name_kind(btf, section, btfKindDataSection)
        guard sectionID > 0, let sectionType = btf__type_by_id(btf, UInt32(sectionID)) else { return nil }
        // The btf_var_secinfo array follows the DATASEC's btf_type; its length is the vlen (info & 0xffff).
        let infos = UnsafeRawPointer(sectionType + 1).assumingMemoryBound(to: btf_var_secinfo.self)
        for index in 0..<Int(sectionType.pointee.info & 0xffff) {
            let info = infos[index]
            guard let variable = btf__type_by_id(btf, info.type),
                  let variableName = btf__name_by_offset(btf, variable.pointee.name_off),
                  String(cString: variableName) == name else { continue }
            return (Int(info.offset), Int(info.size))
        }
        return nil
    }
}
