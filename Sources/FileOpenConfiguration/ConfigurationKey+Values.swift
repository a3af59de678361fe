import Configuration
import FileOpenCore
import FileOpenServer
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// What each key accepts, and how an accepted value lands in a `DaemonConfiguration`.
extension ConfigurationKey {
    /// The most a ring buffer may take: 1 GiB (the kernel's limit is higher, a sane host's is not).
    static let maximumRingBufferSize = 1 << 30
    /// The page size, the smallest ring buffer.
    static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
    /// sizeof(sockaddr_un.sun_path) minus the terminating NUL.
    static let maximumSocketPathBytes = 107
    /// KSYM_NAME_LEN before Linux 6.1 (128) minus the terminating NUL: a longer name is no symbol
    /// on every kernel this runs on.
    static let maximumFunctionNameBytes = 127

    /// The type swift-configuration is asked for.
    var configType: ConfigType {
        switch self {
        case .listen, .filters: .stringArray
        case .webConfigFile, .socket, .socketGroup, .attachMode, .hookFunction, .detailLevel, .logLevel: .string
        case .ringBufferSize, .drainInterval, .retention, .maxProcesses, .maxComms, .maxUnits, .maxTopPathsProcesses,
             .rateWindow:
            .int
        }
    }

    /// The integer range of a numeric key, with its unit.
    var range: (ClosedRange<Int>, unit: String?)? {
        switch self {
        case .drainInterval: (1...1000, "milliseconds")
        case .retention: (0...31_536_000, "seconds")
        case .maxProcesses, .maxComms, .maxUnits: (1...10_000_000, nil)
        case .maxTopPathsProcesses: (0...10_000_000, nil)
        case .rateWindow: (1...3600, "seconds")
        case .ringBufferSize: (Self.pageSize...Self.maximumRingBufferSize, "bytes")
        default: nil
        }
    }

    /// What is allowed, for the end of an error message.
    var allowed: String {
        switch self {
        case .listen: "a list of IPv4:PORT or [IPv6]:PORT addresses, e.g. [\"127.0.0.1:9469\", \"[::1]:9469\"]"
        case .webConfigFile: "an absolute path to a file in exporter-toolkit's web configuration format, or \"\" for none"
        case .socket: "an absolute path of at most \(Self.maximumSocketPathBytes) bytes"
        case .socketGroup: "a group name (letters, digits, '.', '_', '-')"
        case .attachMode: AttachMode.allCases.map(\.rawValue).joinedAsAlternatives()
        case .hookFunction:
            "a kernel function name of at most \(Self.maximumFunctionNameBytes) bytes (letters, digits, '_', '.'; not starting with a digit or '.')"
        case .detailLevel: DetailLevel.allCases.map(\.rawValue).joinedAsAlternatives()
        case .filters: OpenFilters.allowed
        case .logLevel: Logger.Level.allCases.map(\.rawValue).joinedAsAlternatives()
        case .ringBufferSize:
            "a power of two from \(Self.pageSize) to \(Self.maximumRingBufferSize) (bytes)"
        default:
            range.map { range, unit in
                "\(range.lowerBound) to \(range.upperBound)" + (unit.map { " (\($0))" } ?? "")
            } ?? ""
        }
    }

    /// What a value of the expected type is called: "a whole number", "a list", "text".
    var expectedKind: String {
        switch configType {
        case .int: "a whole number"
        case .stringArray: "a list"
        default: "a single value"
        }
    }

    /// Checks `content` (already of `configType`) and stores it in `configuration`.
    func apply(
        _ content: ConfigContent, from source: ConfigurationSource, to configuration: inout DaemonConfiguration
    ) throws(ConfigurationError) {
        func invalid(_ value: String, _ problem: String) -> ConfigurationError {
            .invalidValue(key: self, value: value, problem: problem, source: source, allowed: allowed)
        }
        switch content {
        case .int(let number):
            if let (range, _) = range, !range.contains(number) {
                throw invalid(String(number), "out of range")
            }
            switch self {
            case .ringBufferSize:
                guard number & (number - 1) == 0 else { throw invalid(String(number), "not a power of two") }
                configuration.ringBufferSize = number
            case .drainInterval: configuration.drainInterval = number
            case .retention: configuration.retention = number
            case .maxProcesses: configuration.maxProcesses = number
            case .maxComms: configuration.maxComms = number
            case .maxUnits: configuration.maxUnits = number
            case .maxTopPathsProcesses: configuration.maxTopPathsProcesses = number
            case .rateWindow: configuration.rateWindow = number
            default: preconditionFailure("\(self) is not numeric")
            }
        case .string(let text):
            switch self {
            case .webConfigFile:
                guard text.isEmpty || text.hasPrefix("/") else { throw invalid(text, "not an absolute path") }
                configuration.webConfigFile = text.isEmpty ? nil : text
            case .socket:
                guard text.hasPrefix("/") else { throw invalid(text, "not an absolute path") }
                guard text.utf8.count <= Self.maximumSocketPathBytes else { throw invalid(text, "too long") }
                configuration.socket = text
            case .socketGroup:
                let allowedBytes = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-".utf8)
                guard !text.isEmpty, text.utf8.allSatisfy(allowedBytes.contains), !text.hasPrefix("-") else {
                    throw invalid(text, "not a group name")
                }
                configuration.socketGroup = text
            case .attachMode:
                guard let mode = AttachMode(rawValue: text) else { throw invalid(text, "no such attach mode") }
                configuration.attachMode = mode
            case .hookFunction:
                let bytes = Array(text.utf8)
                let allowedBytes = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.".utf8)
                guard let first = bytes.first, bytes.allSatisfy(allowedBytes.contains),
                    !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first), first != UInt8(ascii: ".")
                else { throw invalid(text, "not a kernel function name") }
                guard bytes.count <= Self.maximumFunctionNameBytes else { throw invalid(text, "too long") }
                configuration.hookFunction = text
            case .detailLevel:
                guard let level = DetailLevel(rawValue: text) else { throw invalid(text, "no such detail level") }
                configuration.detailLevel = level
            case .logLevel:
                guard let level = Logger.Level(rawValue: text) else { throw invalid(text, "no such log level") }
                configuration.logLevel = level
            default: preconditionFailure("\(self) is not text")
            }
        case .stringArray(let items) where self == .filters:
            do {
                configuration.filters = try OpenFilters(parsing: items)
            } catch {
                throw invalid(error.rule, error.problem)
            }
        case .stringArray(let addresses):
            guard !addresses.isEmpty else { throw invalid("[]", "an empty list") }
            var parsed: [ListenAddress] = []
            for address in addresses {
                do {
                    parsed.append(try ListenAddress(parsing: address))
                } catch {
                    if case .invalidListenAddress(_, let reason) = error { throw invalid(address, reason) }
                    throw invalid(address, "\(error)")
                }
            }
            configuration.listen = parsed
        default:
            preconditionFailure("\(self) asked for \(configType), got \(content)")
        }
        configuration.sources[self] = source
    }
}

extension [String] {
    /// `a, b or c`.
    func joinedAsAlternatives() -> String {
        guard count > 1 else { return first ?? "" }
        return dropLast().joined(separator: ", ") + " or " + last!
    }
}
