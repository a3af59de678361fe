import CFileOpend
#if canImport(Glibc)
import Glibc
#endif

/// The stop signal of the server's threads: an eventfd that every blocking `poll(2)` includes.
/// One `signal()` wakes them all and keeps doing so, because nobody reads the counter back.
struct WakeEvent: Sendable {
    let fd: Int32

    /// `eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)`.
    static func make() throws(ServerError) -> WakeEvent {
        let fd = cfo_wake_eventfd()
        guard fd >= 0 else { throw .failed("eventfd()") }
        return WakeEvent(fd: fd)
    }

    /// `write(2)` of 1 to the counter.
    func signal() {
        var one: UInt64 = 1
        _ = write(fd, &one, MemoryLayout<UInt64>.size)
    }

    /// `close(2)`, once every thread that polls it has been joined.
    func close() {
        _ = Glibc.close(fd)
    }
}
