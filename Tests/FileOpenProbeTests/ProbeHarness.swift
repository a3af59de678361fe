import CFileOpend
import CTestSupport
import FileOpenCore
import FileOpenProbe
import FileOpenSystem
import FileOpenTestSupport
import Foundation
import Logging
import Synchronization

/// A probe attached for one test, with a consumer collecting every record it delivers.
final class ProbeHarness: Sendable {
    let probe: FileOpenProgram
    let consumer: FileOpenConsumer
    let logs: RecordingLogHandler.Store
    private let received = Locked<[ProbeRecord]>([])

    /// Attaches with `settings` (the test process is not excluded, unlike in the daemon) and
    /// starts consuming unless `start` is false.
    init(settings: ProbeSettings = ProbeHarness.settings(), start: Bool = true) throws {
        TestEnvironment.ensureTracefs()
        let (logger, logs) = RecordingLogHandler.logger(label: "probe-test")
        self.logs = logs
        probe = try FileOpenProgram.attach(settings: settings, logger: logger)
        let received = received
        consumer = FileOpenConsumer(probe: probe, logger: logger, deliver: { batch in
            received.withLock { $0.append(contentsOf: batch) }
        })
        if start { consumer.start() }
    }

    /// Default test settings: every process traced, including this one.
    static func settings(mode: AttachMode = .auto) -> ProbeSettings {
        var settings = ProbeSettings(mode: mode)
        settings.excludedProcess = 0
        return settings
    }

    func close() {
        probe.detach()
        consumer.stop()
        probe.close()
    }

    var records: [ProbeRecord] { received.value }

    func opens(where predicate: (FileOpenEvent) -> Bool) -> [FileOpenEvent] {
        records.compactMap { record in
            if case .open(let event) = record, predicate(event) { return event }
            return nil
        }
    }

    func exits(of pid: Int32) -> [ProcessExitEvent] {
        records.compactMap { record in
            if case .exit(let exit) = record, exit.process.pid == pid { return exit }
            return nil
        }
    }

    /// Opens `marker` from a fresh thread and waits until its record arrives: every record the
    /// same process made before it has been delivered by then (the ring keeps reservation order).
    func flush(marker: String) -> Bool {
        _ = onFreshThread(comm: "fo-marker") { open(marker, O_RDONLY) }
        return TestEnvironment.waitUntil { !opens(where: { $0.path == marker }).isEmpty }
    }
}

/// Runs `body` on a new OS thread whose comm is `comm`, and returns its result and thread id.
func onFreshThread<T: Sendable>(comm: String, _ body: @escaping @Sendable () -> T) -> (value: T, tid: Int32) {
    let result = Locked<(T, Int32)?>(nil)
    let thread = DedicatedThread(name: comm) {
        _ = cts_set_thread_comm(comm)
        let value = body()
        result.withLock { $0 = (value, cfo_gettid()) }
    }
    thread.join()
    return result.value!
}

/// A comm no other process on the host has (at most 15 bytes).
func uniqueComm(_ prefix: String) -> String {
    String((prefix + "-" + String(UInt32.random(in: 0...UInt32.max), radix: 36)).prefix(15))
}
