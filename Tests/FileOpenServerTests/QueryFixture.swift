import FileOpenCore
import FileOpenServer
import FileOpenTestSupport
import Foundation
import Logging
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Canned answers for every command, so tests can check exactly what came back (each carries the
/// request's arguments); tail goes to a real hub.
struct CannedResponder: QueryResponder {
    let tailHub: TailHub
    /// `proc` of `gatedPID` waits for it.
    var gate = Gate()
    static let gatedPID: Int32 = 7777
    /// A tail of this comm is refused, as the daemon refuses every tail at the counts level.
    static let refusedTailComm = "refused"

    static let status = StatusReport(
        daemonVersion: "test", kernelRelease: "6.18.0", attachMode: "tracepoint", uptimeSeconds: 1,
        records: .init(open: 0, exit: 0, undecodable: 0), drops: [:], missedOpens: 0, missedMaps: [:],
        ringBuffer: .init(sizeBytes: 4096, pendingBytes: 0), trackedProcesses: 0, trackedComms: 0,
        clients: .init(connected: 1, tailing: 0, tailDroppedEvents: 0))

    func respond(to request: QueryRequest) -> Result<QueryResult, QueryError> {
        if case .proc(Self.gatedPID) = request { gate.pass() }
        return switch request {
        case .status:
            .success(.status(Self.status))
        case .top(let by, let limit, let comm, _):
            // The limit as the window and the comm as the one process: what the server passed on.
            .success(.top(TopReport(by: by, windowSeconds: Double(limit), processes: comm.map { [
                TopReport.Entry(pid: 1, comm: $0, startNs: 1, exited: false, opens: 1, errors: 0, opensPerSecond: 0,
                                errorsPerSecond: 0),
            ] } ?? [])))
        case .proc(let pid) where pid == 404:
            .failure(QueryError(.notFound, "no process with pid 404 is tracked"))
        case .proc(let pid):
            .success(.proc(ProcessReport(
                pid: pid, comm: "c", startNs: 1, firstSeenNs: 1, lastSeenNs: 1, exited: false, exitedNs: nil, opens: 0,
                failed: 0, missed: 0, creates: 0, byAccess: [:], errors: [:], topPaths: [], topPathsCapacity: 8,
                topPathsOpens: 0)))
        case .reset:
            .success(.reset(ResetReport(processes: 3)))
        case .tail(let filter) where filter.comm == Self.refusedTailComm:
            .failure(.tailNeedsEvents)
        case .tail:
            .success(.streaming(StreamingReport()))
        }
    }

    /// The reply line the server must send for `request` (not for tail).
    func expectedReply(_ request: QueryRequest) -> String {
        switch respond(to: request) {
        case .success(let result): String(decoding: QueryReply.success(result), as: UTF8.self)
        case .failure(let error): String(decoding: error.replyLine, as: UTF8.self)
        }
    }
}

/// A real `QueryServer` on a socket in a scratch directory, with `CannedResponder`; stopped and
/// cleaned up on deinit.
final class QueryFixture {
    /// Limits with timeouts short enough for tests.
    static let testLimits = QueryServerLimits(
        maxConnections: 128, idleTimeout: .seconds(5), writeTimeout: .seconds(30), tailCheckInterval: .milliseconds(20))

    let directory: URL
    let path: String
    let hub: TailHub
    let responder: CannedResponder
    let server: QueryServer
    let logs: RecordingLogHandler.Store

    init(
        limits: QueryServerLimits = testLimits, group: String? = nil, socketName: String = "fileopend.sock",
        queueCapacity: Int = 4096
    ) throws {
        directory = try TestEnvironment.makeScratchDirectory("query")
        path = directory.appendingPathComponent(socketName).path
        hub = TailHub(queueCapacity: queueCapacity)
        responder = CannedResponder(tailHub: hub)
        let (logger, logs) = RecordingLogHandler.logger(label: "query-test")
        self.logs = logs
        do {
            server = try QueryServer(
                socketPath: path, group: group, limits: limits, logger: logger, responder: responder)
            try server.start()
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    deinit {
        responder.gate.open()
        server.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    func client(readTimeout: Int = 10) throws -> QueryTestClient {
        try QueryTestClient(path: path, readTimeout: readTimeout)
    }

    /// Polls the statistics until `condition` holds (10 s at most).
    func eventually(_ condition: (QueryServerStatistics) -> Bool) -> Bool {
        TestEnvironment.waitUntil(timeout: .seconds(10)) { condition(server.statistics) }
    }

    /// Asserts that a new client gets its status.
    func expectServesOthers(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let client = try client()
        #expect(
            try client.request(#"{"version":1,"command":"status"}"#) == responder.expectedReply(.status),
            "another client was not served", sourceLocation: sourceLocation)
    }

    /// An open of `path` by `pid` at `time`, as the probe would report it.
    static func open(pid: Int32, at time: UInt64, result: Int64 = 3, path: String = "/etc/hostname") -> ProbeRecord {
        .open(FileOpenEvent(
            timestamp: time, process: ProcessIdentity(pid: pid, startTime: 1), tid: pid, uid: 0, cgroupID: 1,
            syscall: .openat, flags: OpenFlags(rawValue: 0), mode: 0, result: result, comm: "comm\(pid)", path: path
        ))
    }
}
