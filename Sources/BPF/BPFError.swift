#if canImport(Glibc)
import Glibc
#endif

/// Everything the `BPF` module throws, each case naming what failed so a log line is enough.
public enum BPFError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A libbpf or kernel call failed; `operation` names the C function, `errno` the cause.
    case callFailed(operation: String, errno: Int32)
    /// The object has no program of that name.
    case programNotFound(name: String, available: [String])
    /// The object has no map of that name.
    case mapNotFound(name: String, available: [String])
    /// The map exists but has another type than the accessor expects.
    case wrongMapType(name: String, expected: BPFMapType, actual: BPFMapType)
    /// The map's key or value size differs from the Swift types' sizes.
    case wrongMapLayout(name: String, keySize: Int, valueSize: Int, expectedKeySize: Int, expectedValueSize: Int)
    /// No global variable of that name in `.rodata`, `.data` or `.bss`.
    case variableNotFound(name: String)
    /// The global variable exists but the Swift value has another size.
    case wrongVariableSize(name: String, size: Int, expectedSize: Int)
    /// The operation needs a loaded object (`BPFObject.load()` first).
    case notLoaded(operation: String)
    /// The operation is only possible before `BPFObject.load()`.
    case alreadyLoaded(operation: String)
    /// The object, ring buffer or link was closed already.
    case closed(operation: String)

    /// The errno of a failed call, if this is one.
    public var errno: Int32? {
        if case .callFailed(_, let errno) = self { return errno }
        return nil
    }

    public var description: String {
        switch self {
        case .callFailed(let operation, let errno):
            "\(operation) failed: \(String(cString: strerror(errno))) (errno \(errno))"
        case .programNotFound(let name, let available):
            "no BPF program named '\(name)' (the object has: \(available.joined(separator: ", ")))"
        case .mapNotFound(let name, let available):
            "no BPF map named '\(name)' (the object has: \(available.joined(separator: ", ")))"
        case .wrongMapType(let name, let expected, let actual):
            "BPF map '\(name)' is a \(actual) map, not a \(expected) map"
        case .wrongMapLayout(let name, let keySize, let valueSize, let expectedKeySize, let expectedValueSize):
            "BPF map '\(name)' has \(keySize)-byte keys and \(valueSize)-byte values; "
                + "the Swift types have \(expectedKeySize) and \(expectedValueSize)"
        case .variableNotFound(let name):
            "no global variable '\(name)' in the object's .rodata, .data or .bss"
        case .wrongVariableSize(let name, let size, let expectedSize):
            "global variable '\(name)' is \(expectedSize) bytes; the Swift value has \(size)"
        case .notLoaded(let operation):
            "\(operation) needs a loaded BPF object (call load() first)"
        case .alreadyLoaded(let operation):
            "\(operation) is only possible before the BPF object is loaded"
        case .closed(let operation):
            "\(operation) on a closed BPF resource"
        }
    }

    /// A failed call: libbpf 1.x returns `-errno` from int functions and sets `errno` for
    /// pointer-returning ones (pass no `result` for those).
    static func failed(_ operation: String, returned result: Int32? = nil) -> BPFError {
        if let result, result < 0 { return .callFailed(operation: operation, errno: -result) }
        return .callFailed(operation: operation, errno: Glibc.errno)
    }
}
