public import FileOpenCore

/// What answers the query server's requests: the daemon, or a test's canned answers.
/// Called on the query server's worker threads, several at once; it must not block for long.
public protocol QueryResponder: Sendable {
    /// The result object (JSON text, no newline) for every command but tail, or a QueryError.
    func respond(to request: QueryRequest) -> Result<String, QueryError>
    /// The hub that tail subscribes to.
    var tailHub: TailHub { get }
}
