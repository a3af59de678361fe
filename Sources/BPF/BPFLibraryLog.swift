import CLibbpf
#if canImport(Glibc)
import Glibc
#endif
public import Logging
import Synchronization

/// Routes libbpf's own messages (verifier logs, attach diagnostics) to swift-log.
public enum BPFLibraryLog {
    /// Sends every libbpf message to `logger` from now on (`libbpf_set_print`): warnings as
    /// `.warning`, info as `.info`, debug as `.debug`. The logger's level filters as usual.
    public static func route(to logger: Logger) {
        destination.withLock { $0 = logger }
        _ = libbpf_set_print(forward)
    }

    /// Silences libbpf (`libbpf_set_print(NULL)`).
    public static func silence() {
        destination.withLock { $0 = nil }
        _ = libbpf_set_print(nil)
    }
}

private let destination = Mutex<Logger?>(nil)

private let forward: libbpf_print_fn_t = { level, format, arguments in
    guard let format, let arguments, let logger = destination.withLock({ $0 }) else { return 0 }
    var buffer = [CChar](repeating: 0, count: 1024)
    let length = vsnprintf(&buffer, buffer.count, format, arguments)
    guard length > 0 else { return 0 }
    var message = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    while message.last == "\n" { message.removeLast() }
    switch level {
    case LIBBPF_WARN: logger.warning("\(message)", metadata: ["source": "libbpf"])
    case LIBBPF_INFO: logger.info("\(message)", metadata: ["source": "libbpf"])
    default: logger.debug("\(message)", metadata: ["source": "libbpf"])
    }
    return length
}
