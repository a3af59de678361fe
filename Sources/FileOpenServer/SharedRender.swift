import Synchronization

/// Renders shared by the requests that want the same thing at the same time (a /metrics body in
/// one format and encoding). A request is answered by the first render that starts after it
/// arrives: while one runs, the requests arriving wait for the next, which starts as soon as it
/// ends and answers all of them. So a flood of requests costs one render at a time per key, on
/// one thread, and every answer is fresh: rendered after its request came in.
///
/// The thread whose request finds no render running leads: it renders, answers the requests
/// waiting, and renders again for the next ones as long as there are any. The others return at
/// once (their thread is free for other work) and are answered on the leader's.
final class SharedRender<Value: Sendable>: Sendable {
    typealias Reply = @Sendable (Value) -> Void

    /// Keys with a render running, and the requests waiting for the next one.
    private let waiting = Mutex<[String: [Reply]]>([:])

    init() {}

    /// Answers `reply` with a render of `key`: by `render` on this thread, or by the render of
    /// another request of the same key (whose `render` must give an equal value).
    func request(_ key: String, render: () -> Value, reply: @escaping Reply) {
        let leads = waiting.withLock { waiting in
            guard waiting[key] != nil else {
                waiting[key] = []
                return true
            }
            waiting[key]!.append(reply)
            return false
        }
        guard leads else { return }
        var replies = [reply]
        while !replies.isEmpty {
            let value = render()
            for reply in replies { reply(value) }
            replies = waiting.withLock { waiting in
                let next = waiting[key] ?? []
                waiting[key] = next.isEmpty ? nil : []
                return next
            }
        }
    }
}
