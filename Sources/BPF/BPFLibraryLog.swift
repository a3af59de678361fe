import CLibbpf
#if canImport(Glibc)
import Glibc
#endif
public import Logging
import Synchronization

/// Routes libbpf's own messages (verifier logs, attach diagnostics) to swift-log.
public enum BPFLibraryLog {
    /// One message libbpf printed while its messages were being held (see `holding(_:)`).
    public struct Message: Sendable, Equatable {
        /// libbpf's level, as swift-log's: `.warning`, `.info` or `.debug`.
        public let level: Logger.Level
        public let text: String
    }

    /// Sends every libbpf message to `logger` from now on (`libbpf_set_print`): warnings as
    /// `.warning`, info as `.info`, debug as `.debug`. The logger's level filters as usual.
    public static func route(to logger: Logger) {
        state.withLock { $0.logger = logger }
        _ = libbpf_set_print(forward)
    }

    /// Silences libbpf (`libbpf_set_print(NULL)`).
    public static func silence() {
        state.withLock { $0 = State() }
        _ = libbpf_set_print(nil)
    }

    /// Runs `body` with libbpf's messages held back instead of logged, and returns them with its
    /// result, for the caller to log once it knows what they mean (an attempt that a fallback
    /// follows reads differently from a final failure). Holds are not nested: the process has one
    /// libbpf print callback.
    public static func holding<T>(_ body: () -> T) -> (T, [Message]) {
        state.withLock { $0.held = [] }
        let result = body()
        return (result, state.withLock { state in
            defer { state.held = nil }
            return state.held ?? []
        })
    }

    /// Logs messages held by `holding(_:)` to the routed logger, each at `level`, or at its own
    /// level when `level` is nil.
    public static func log(_ messages: [Message], at level: Logger.Level? = nil) {
        guard let logger = state.withLock({ $0.logger }) else { return }
        for message in messages {
            logger.log(level: level ?? message.level, "\(message.text)", metadata: ["source": "libbpf"])
        }
    }
}

/// Where libbpf's messages go: the routed logger, or `held` while a hold is in force.
private struct State {
    var logger: Logger?
    var held: [BPFLibraryLog.Message]?
}

private let state = Mutex(State())

private let forward: libbpf_print_fn_t = { level, format, arguments in
    guard let format, let arguments else { return 0 }
    var buffer = [CChar](repeating: 0, count: 1024)
    let length = vsnprintf(&buffer, buffer.count, format, arguments)
    guard length > 0 else { return 0 }
    var text = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    while text.last == "\n" { text.removeLast() }
    let message = BPFLibraryLog.Message(
        level: level == LIBBPF_WARN ? .warning : level == LIBBPF_INFO ? .info : .debug, text: text
    )
    let logger: Logger? = state.withLock { state in
        guard state.held == nil else {
            state.held?.append(message)
            return nil
        }
        return state.logger
    }
    logger?.log(level: message.level, "\(message.text)", metadata: ["source": "libbpf"])
    return length
}
