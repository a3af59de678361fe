public import FileOpenCore

/// What answers the query server's requests: the daemon, or a test's canned answers.
/// Called on the query server's worker threads, several at once; it must not block for long.
public protocol QueryResponder: Sendable {
    /// The result for every command, or a QueryError. For tail, which the server streams itself,
    /// `.streaming` lets it start and an error refuses it.
    func respond(to request: QueryRequest) -> Result<QueryResult, QueryError>
    /// The hub that tail subscribes to.
    var tailHub: TailHub { get }
}
