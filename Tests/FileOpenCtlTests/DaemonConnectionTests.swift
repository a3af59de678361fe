import FileOpenCore
import FileOpenCtlKit
import FileOpenTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("The socket client against a stand-in daemon: framing, errors, interrupts")
struct DaemonConnectionTests {
    private func withDaemon(
        _ respond: @escaping @Sendable (String) -> [FakeDaemon.Action], _ body: (FakeDaemon) throws -> Void
    ) throws {
        let directory = try TestEnvironment.makeScratchDirectory("ctl")
        defer { try? FileManager.default.removeItem(at: directory) }
        let daemon = try FakeDaemon(path: directory.path + "/fo.sock", respond: respond)
        defer { daemon.stop() }
        try body(daemon)
    }

    @Test("No socket file: daemon not running (ENOENT and ENOTDIR)")
    func noSocket() {
        #expect(throws: ClientError.daemonNotRunning(socketPath: "/nonexistent/fo.sock", reason: .noSocket)) {
            try DaemonConnection(socketPath: "/nonexistent/fo.sock")
        }
        #expect(throws: ClientError.daemonNotRunning(socketPath: "/etc/passwd/fo.sock", reason: .noSocket)) {
            try DaemonConnection(socketPath: "/etc/passwd/fo.sock")
        }
    }

    @Test("A socket file nobody listens on is a stale socket; a regular file is not a socket")
    func staleSocket() throws {
        let directory = try TestEnvironment.makeScratchDirectory("ctl-stale")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.path + "/stale.sock"
        close(try FakeDaemon.listening(at: path))  // The file stays; the listener is gone.
        #expect(throws: ClientError.daemonNotRunning(socketPath: path, reason: .staleSocket)) {
            try DaemonConnection(socketPath: path)
        }
        let file = directory.path + "/plain"
        #expect(FileManager.default.createFile(atPath: file, contents: Data()))
        #expect(throws: ClientError.daemonNotRunning(socketPath: file, reason: .notASocket)) {
            try DaemonConnection(socketPath: file)
        }
    }

    @Test("One connection carries several requests, each answered in order")
    func requests() throws {
        try withDaemon({ line in
            [line.contains("status") ? FakeDaemon.reply(.status(Fixtures.status))
                : FakeDaemon.success(#"{"reset":true,"processes":2}"#)]
        }) { daemon in
            let connection = try DaemonConnection(socketPath: daemon.path)
            #expect(try connection.send(.status, expecting: StatusReport.self, timeout: .seconds(5)) == Fixtures.status)
            #expect(try connection.send(.reset, expecting: ResetReport.self, timeout: .seconds(5))?.processes == 2)
            #expect(daemon.receivedRequests == [QueryRequest.status, .reset].map { String($0.line.dropLast()) })
        }
    }

    @Test("A reply split over many writes is reassembled; several lines in one write are split")
    func framing() throws {
        let reply = Array(#"{"version":1,"ok":true,"result":{"streaming":true}}"#.utf8) + [10]
        try withDaemon({ _ in
            reply.map { FakeDaemon.Action.sendRaw([$0]) } + [
                .sendRaw(Array("{\"dropped\":1}\n{\"dropped\":2}\n{\"drop".utf8)),
                .pause(.milliseconds(50)), .sendRaw(Array("ped\":3}\n".utf8)), .close,
            ]
        }) { daemon in
            let connection = try DaemonConnection(socketPath: daemon.path)
            let reply = try connection.send(.tail(TailFilter()), expecting: StreamingReport.self, timeout: .seconds(5))
            #expect(reply?.streaming == true)
            var lines: [String] = []
            while case .lines(let batch) = try connection.readLines(timeout: .seconds(5)) {
                lines += batch.map { String(decoding: $0, as: UTF8.self) }
            }
            #expect(lines == [#"{"dropped":1}"#, #"{"dropped":2}"#, #"{"dropped":3}"#])
        }
    }

    @Test("The daemon closing mid-reply, or before replying, is 'daemon closed the connection'")
    func closedMidReply() throws {
        try withDaemon({ line in
            line.contains("status") ? [.sendRaw(Array(#"{"version":1,"ok":tr"#.utf8)), .close] : [.close]
        }) { daemon in
            #expect(throws: ClientError.connectionClosed) {
                try DaemonConnection(socketPath: daemon.path).send(.status, expecting: StatusReport.self, timeout: .seconds(5))
            }
            #expect(throws: ClientError.connectionClosed) {
                try DaemonConnection(socketPath: daemon.path).send(.reset, expecting: ResetReport.self, timeout: .seconds(5))
            }
        }
    }

    @Test("A silent daemon times out; an interrupt ends the wait at once")
    func timeoutAndInterrupt() throws {
        try withDaemon({ _ in [.awaitClientClose] }) { daemon in
            let connection = try DaemonConnection(socketPath: daemon.path)
            #expect(throws: ClientError.timedOut(seconds: 0)) {
                try connection.send(.status, expecting: StatusReport.self, timeout: .milliseconds(100))
            }
            let interrupt = try InterruptSignal(observingSignals: false)
            #expect(!interrupt.isTriggered)
            interrupt.trigger()
            let started = ContinuousClock.now
            #expect(try connection.readLine(timeout: .seconds(10), interrupt: interrupt) == .interrupted)
            #expect(ContinuousClock.now - started < .seconds(1))
            #expect(interrupt.wait(timeout: .seconds(10)))
        }
    }

    @Test("A reply line over 16 MiB is refused instead of buffered without end")
    func replyTooLong() throws {
        try withDaemon({ _ in
            [.sendRaw(Array(repeating: UInt8(ascii: "x"), count: DaemonConnection.maximumLineBytes + 100_000)), .close]
        }) { daemon in
            #expect(throws: ClientError.replyTooLong(limit: DaemonConnection.maximumLineBytes)) {
                try DaemonConnection(socketPath: daemon.path).send(.status, expecting: StatusReport.self, timeout: .seconds(10))
            }
        }
    }

    @Test("An error reply leaves the connection usable")
    func errorReply() throws {
        try withDaemon({ line in
            line.contains("proc") ? [FakeDaemon.failure(.notFound, "no process with pid 5 is tracked")]
                : [FakeDaemon.reply(.reset(ResetReport(processes: 0)))]
        }) { daemon in
            let connection = try DaemonConnection(socketPath: daemon.path)
            #expect(throws: ClientError.daemonError(QueryError(.notFound, "no process with pid 5 is tracked"))) {
                try connection.send(.proc(pid: 5), expecting: ProcessReport.self, timeout: .seconds(5))
            }
            #expect(try connection.send(.reset, expecting: ResetReport.self, timeout: .seconds(5)) == ResetReport(processes: 0))
        }
    }
}
