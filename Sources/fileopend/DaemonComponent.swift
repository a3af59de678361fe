import FileOpenCore

/// A long-running part of the daemon, after swift-service-lifecycle's `Service`: it owns its
/// resources from `init` (an attached program, bound sockets), runs between `start()` and
/// `stop()` with its blocking loops on threads of its own, and reports its own statistics.
/// `ComponentGroup` starts components in dependency order and stops them in reverse.
protocol DaemonComponent: AnyObject, Sendable {
    /// Its name in the log.
    var name: String { get }

    /// Starts its threads. A component that throws is not running; the group then stops every
    /// component, this one included, so `stop()` must cope with a component never started.
    func start() throws(DaemonStartError)

    /// Stops its threads and frees its resources; afterwards `report` gives its last figures.
    /// Idempotent.
    func stop()

    /// Appends its statistics values, as they are now (`ComponentStatistics`): the only way its
    /// figures reach /metrics, `status` and the log.
    func report(into figures: inout DaemonFigures)
}

extension DaemonComponent {
    func start() throws(DaemonStartError) {}
    func stop() {}
    func report(into figures: inout DaemonFigures) {}
}
