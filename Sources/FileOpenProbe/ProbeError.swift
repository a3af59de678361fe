public import BPF
public import FileOpenCore

/// Why the probe could not start, phrased for the operator: one line, cause and remedy.
public enum ProbeError: Error, Sendable, CustomStringConvertible {
    /// The process lacks the capabilities to load BPF programs.
    case missingCapabilities([String])
    /// The kernel exposes no BTF, which CO-RE relocation needs.
    case kernelBTFMissing(path: String)
    /// tracefs is not mounted (the tracepoints, including process exit, need it).
    case tracefsMissing(path: String)
    /// A setting is out of range.
    case invalidSetting(String)
    /// Every attach mode tried was refused; each refusal says why.
    case noAttachModeWorked([AttachRefusal])
    /// A BPF operation failed outside mode selection.
    case bpf(BPFError)

    public var description: String {
        switch self {
        case .missingCapabilities(let names):
            "missing capability \(names.joined(separator: " and ")): run as root, or grant it "
                + "(e.g. setcap \(names.map { $0.lowercased() }.joined(separator: ","))+ep on the binary)"
        case .kernelBTFMissing(let path):
            "kernel BTF not found at \(path): CO-RE needs a kernel built with CONFIG_DEBUG_INFO_BTF=y"
        case .tracefsMissing(let path):
            "tracefs is not mounted at \(path): mount it with 'mount -t tracefs nodev \(path)'"
        case .invalidSetting(let message):
            message
        case .noAttachModeWorked(let refusals):
            "no attach mode worked: " + refusals.map(\.description).joined(separator: "; ")
        case .bpf(let error):
            error.description
        }
    }
}

/// One attach mode that could not be used, and why.
public struct AttachRefusal: Error, Sendable, CustomStringConvertible {
    /// The stage that failed.
    public enum Stage: String, Sendable {
        case load, attach
    }

    public let mode: AttachMode
    public let stage: Stage
    public let error: BPFError
    /// What the failure most likely means on this kernel.
    public let explanation: String

    public var description: String { "\(mode) refused at \(stage.rawValue): \(explanation) (\(error))" }
}
