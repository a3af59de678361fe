import FileOpenCore
import FileOpenServer
import Logging
import Synchronization

/// The daemon's components under one lifecycle, after swift-service-lifecycle's `ServiceGroup`
/// (which is async; these components run blocking loops on threads of their own): started in
/// the order they were added, each after what it depends on, and stopped in reverse, so the
/// service manager hears STOPPING=1 first and the probe's last drain comes last. A start that
/// fails stops every component.
///
/// The group is also the one place the daemon's figures are read from: `figures()` asks every
/// component for its own statistics at the moment of reading (build information first, this
/// process's resource use last); /metrics, `status` and the shutdown line all read it. The
/// servers answer from it, so the group holds them and they hold (through their answers) the
/// group: `stop()` keeps the last figures and lets the components go, which ends that cycle.
final class ComponentGroup: Sendable {
    private enum State {
        case adding([any DaemonComponent])
        case started([any DaemonComponent])
        /// `stop()` is under way: a second call returns at once, readings still ask the components.
        case stopping([any DaemonComponent])
        /// The figures read once every component had stopped.
        case stopped(DaemonFigures)
    }

    private let state = Mutex(State.adding([]))
    private let build: BuildInfo
    private let usage = ProcessUsageReader()
    private let logger: Logger

    init(build: BuildInfo, logger: Logger) {
        self.build = build
        self.logger = logger
    }

    /// Adds a component, to start after those added before it. Only before `start()`.
    func add(_ component: any DaemonComponent) {
        state.withLock { state in
            guard case .adding(var components) = state else {
                preconditionFailure("ComponentGroup.add(\(component.name)) after start()")
            }
            components.append(component)
            state = .adding(components)
        }
    }

    /// Starts every component in order. If one throws, stops them all (in reverse) and rethrows.
    func start() throws(DaemonStartError) {
        let components = state.withLock { state -> [any DaemonComponent] in
            guard case .adding(let components) = state else { return [] }
            state = .started(components)
            return components
        }
        for component in components {
            do {
                try component.start()
            } catch {
                logger.debug("\(component.name) did not start: stopping every component")
                stop()
                throw error
            }
            logger.debug("started \(component.name)")
        }
    }

    /// Stops every component in reverse order, keeps their last figures and lets them go. Idempotent.
    func stop() {
        let components = state.withLock { state -> [any DaemonComponent]? in
            switch state {
            case .adding(let components), .started(let components):
                state = .stopping(components)
                return components
            case .stopping, .stopped:
                return nil
            }
        }
        guard let components else { return }
        for component in components.reversed() {
            component.stop()
            logger.debug("stopped \(component.name)")
        }
        let last = Self.figures(of: components, build: build, usage: usage)
        state.withLock { $0 = .stopped(last) }
    }

    /// Every component's statistics now; once stopped, those read at the stop.
    func figures() -> DaemonFigures {
        let components = state.withLock { state -> [any DaemonComponent]? in
            switch state {
            case .adding(let components), .started(let components), .stopping(let components): components
            case .stopped: nil
            }
        }
        guard let components else {
            return state.withLock { state in
                guard case .stopped(let last) = state else { return DaemonFigures() }
                return last
            }
        }
        return Self.figures(of: components, build: build, usage: usage)
    }

    private static func figures(
        of components: [any DaemonComponent], build: BuildInfo, usage: ProcessUsageReader
    ) -> DaemonFigures {
        var figures = DaemonFigures()
        figures.append(build)
        for component in components { component.report(into: &figures) }
        if let process = usage.read() { figures.append(process) }
        return figures
    }
}
