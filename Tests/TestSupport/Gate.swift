import Foundation
import Synchronization

/// A barrier a test opens by hand, for a handler that must stay busy until the test says so:
/// `pass()` blocks until `open()`; `waiting` counts the callers blocked in it.
public final class Gate: Sendable {
    private let opened = DispatchSemaphore(value: 0)
    private let blocked = Atomic<Int>(0)
    private let isOpen = Atomic<Bool>(false)

    public init() {}

    /// Callers blocked in `pass()` now.
    public var waiting: Int { blocked.load(ordering: .acquiring) }

    /// Returns once the gate is open.
    public func pass() {
        guard !isOpen.load(ordering: .acquiring) else { return }
        blocked.add(1, ordering: .acquiringAndReleasing)
        opened.wait()
        opened.signal()  // Lets the next one through too.
        blocked.subtract(1, ordering: .acquiringAndReleasing)
    }

    /// Opens it for good: every caller blocked and to come passes.
    public func open() {
        guard !isOpen.exchange(true, ordering: .acquiringAndReleasing) else { return }
        opened.signal()
    }
}
