import CFileOpend
#if canImport(Glibc)
import Glibc
#endif

/// One epoll(7) instance: the readiness set of a server's event loop. Every registration carries a
/// 64-bit token that comes back with its events, so a closed descriptor's number reused by a new
/// connection can never be mistaken for the old one. Only the loop's thread uses it.
struct EventPoll: Sendable {
    let fd: Int32

    /// `epoll_create1(EPOLL_CLOEXEC)`.
    static func make() throws(ServerError) -> EventPoll {
        let fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard fd >= 0 else { throw .failed("epoll_create1()") }
        return EventPoll(fd: fd)
    }

    /// `epoll_ctl(EPOLL_CTL_ADD)`; false with errno set if the kernel refused.
    @discardableResult
    func add(_ descriptor: Int32, events: UInt32, token: UInt64) -> Bool {
        control(EPOLL_CTL_ADD, descriptor, events: events, token: token)
    }

    /// `epoll_ctl(EPOLL_CTL_MOD)`: new interest (and re-arms an `EPOLLONESHOT` registration).
    @discardableResult
    func modify(_ descriptor: Int32, events: UInt32, token: UInt64) -> Bool {
        control(EPOLL_CTL_MOD, descriptor, events: events, token: token)
    }

    /// `epoll_ctl(EPOLL_CTL_DEL)`. Closing a descriptor removes it too; this is for one that stays open.
    func remove(_ descriptor: Int32) {
        _ = control(EPOLL_CTL_DEL, descriptor, events: 0, token: 0)
    }

    /// `epoll_wait(2)` for up to `events.count` events, `timeout` ms at most (-1: no limit);
    /// the number of events, 0 on timeout or EINTR.
    func wait(into events: UnsafeMutableBufferPointer<epoll_event>, timeout: Int32) -> Int {
        let count = epoll_wait(fd, events.baseAddress, Int32(events.count), timeout)
        return max(0, Int(count))
    }

    /// `close(2)`, once the loop has stopped.
    func close() {
        _ = Glibc.close(fd)
    }

    private func control(_ operation: Int32, _ descriptor: Int32, events: UInt32, token: UInt64) -> Bool {
        var event = epoll_event()
        event.events = events
        event.data.u64 = token
        return epoll_ctl(fd, operation, descriptor, &event) == 0
    }
}
