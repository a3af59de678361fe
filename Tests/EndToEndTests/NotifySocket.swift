import FileOpenTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A stand-in for systemd's notification socket: a Unix datagram socket the test binds and hands
/// to the daemon as `NOTIFY_SOCKET`, reading each `sd_notify` datagram with the time it arrived.
final class NotifySocket {
    let path: String
    private let fd: Int32

    init() throws {
        path = "/tmp/fileopend-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket(AF_UNIX, SOCK_DGRAM) failed: errno \(errno)") }
        let bound = withUnixSocketAddress(path) { bind(fd, $0, $1) }
        guard bound == 0 else {
            let error = errno
            close(fd)
            throw TestFailure("bind(\(path)) failed: errno \(error)")
        }
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// One datagram with its arrival time, or nil if none came within `timeout`.
    func receive(timeout: Duration) -> (message: String, at: ContinuousClock.Instant)? {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard poll(&descriptor, 1, milliseconds) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(fd, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        return (String(decoding: buffer[..<count], as: UTF8.self), .now)
    }

    /// Every datagram until `duration` has passed.
    func collect(for duration: Duration) -> [(message: String, at: ContinuousClock.Instant)] {
        let end = ContinuousClock.now + duration
        var messages: [(message: String, at: ContinuousClock.Instant)] = []
        while ContinuousClock.now < end, let next = receive(timeout: end - .now) { messages.append(next) }
        return messages
    }

    /// Reads datagrams until one contains `assignment` (e.g. "READY=1"); returns the ones read,
    /// that one last, or throws after `timeout`.
    func wait(for assignment: String, timeout: Duration = .seconds(15)) throws -> [String] {
        let end = ContinuousClock.now + timeout
        var seen: [String] = []
        while ContinuousClock.now < end, let next = receive(timeout: end - .now) {
            seen.append(next.message)
            if next.message.split(separator: "\n").contains(Substring(assignment)) { return seen }
        }
        throw TestFailure("no \(assignment) within \(timeout); received \(seen)")
    }

    /// The daemon started with `NOTIFY_SOCKET` pointing here and `environment` set, through
    /// `sh -c 'export WATCHDOG_PID=$$; exec fileopend …'` so that `WATCHDOG_PID` is the daemon's
    /// own pid (exec keeps it), as systemd sets it.
    func launchDaemon(_ arguments: [String], environment: [String: String] = [:]) throws -> DaemonProcess {
        let daemon = ChildProcess.binDirectory.appendingPathComponent("fileopend").path
        let assignments = (["NOTIFY_SOCKET": path].merging(environment) { $1 }).map { "\($0)=\($1)" }.sorted()
        return try DaemonProcess(
            "/usr/bin/env",
            assignments + ["/bin/sh", "-c", #"export WATCHDOG_PID=$$; exec "$0" "$@""#, daemon] + arguments
        )
    }
}
