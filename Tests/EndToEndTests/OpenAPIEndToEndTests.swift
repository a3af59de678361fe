import CTestSupport
import FileOpenTestSupport
import Foundation
import Testing

/// Opens through io_uring and open_by_handle_at as users see them from the daemon: per process in
/// /metrics, `proc` and `top`, per API in `fileopen_opens_by_api_total` and `status`.
@Suite(
    "io_uring and open_by_handle_at through the daemon",
    .serialized,
    .enabled(if: TestEnvironment.canRunKernelTests, Comment(rawValue: TestEnvironment.kernelTestsSkipReason))
)
struct OpenAPIEndToEndTests {
    @Test("exact per process (opens, errno, O_CREAT, top paths) and per API, at both detail levels",
          arguments: DetailLevelName.allCases)
    func exactCounts(level: DetailLevelName) throws {
        try TestEnvironment.exclusively("open-apis") {
            let socket = "/tmp/fileopend-test-api-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
            let (daemon, client) = try MetricsEndpointTests.startDaemon(
                ["--detail-level", "\(level)"], isolated: ["--listen", "127.0.0.1:0", "--socket", socket]
            )
            defer { daemon.stop() }
            let scratch = try TestEnvironment.makeScratchDirectory("api-e2e")
            defer { try? FileManager.default.removeItem(at: scratch) }
            let existing = scratch.appendingPathComponent("existing").path
            let missing = scratch.appendingPathComponent("absent/missing").path
            try Data().write(to: URL(fileURLWithPath: existing))

            let (uring, uringFail) = (MetricsEndpointTests.uniqueComm("ur"), MetricsEndpointTests.uniqueComm("uf"))
            let (handle, handleFail) = (MetricsEndpointTests.uniqueComm("hd"), MetricsEndpointTests.uniqueComm("hf"))
            let uringPID = MetricsEndpointTests.runOpener(
                comm: uring, call: CTS_IO_URING_OPENAT, path: existing, flags: O_RDWR | O_CREAT, count: 13)
            let uringFailPID = MetricsEndpointTests.runOpener(
                comm: uringFail, call: CTS_IO_URING_OPENAT2, path: missing, flags: O_RDONLY | O_CREAT, count: 4)
            let handlePID = MetricsEndpointTests.runOpener(comm: handle, call: CTS_OPEN_BY_HANDLE_AT, path: existing, count: 6)
            let handleFailPID = MetricsEndpointTests.runOpener(
                comm: handleFail, call: CTS_OPEN_BY_HANDLE_AT, path: missing, count: 3)

            func process(_ pid: Int32, _ comm: String) -> String { #"pid="\#(pid)",comm="\#(comm)""# }
            let expected: [String: Double] = [
                #"fileopen_process_opens_total{\#(process(uringPID, uring))}"#: 13,
                #"fileopen_process_opens_with_create_total{\#(process(uringPID, uring))}"#: 13,
                #"fileopen_process_opens_by_access_total{\#(process(uringPID, uring)),access="read_write"}"#: 13,
                #"fileopen_process_opens_total{\#(process(uringFailPID, uringFail))}"#: 4,
                #"fileopen_process_open_errors_total{\#(process(uringFailPID, uringFail)),errno="ENOENT"}"#: 4,
                #"fileopen_process_opens_total{\#(process(handlePID, handle))}"#: 6,
                #"fileopen_process_opens_total{\#(process(handleFailPID, handleFail))}"#: 3,
                #"fileopen_process_open_errors_total{\#(process(handleFailPID, handleFail)),errno="EINVAL"}"#: 3,
                #"fileopen_opens_by_api_total{api="io_uring",result="success"}"#: 13,
                #"fileopen_opens_by_api_total{api="io_uring",result="failure"}"#: 4,
                #"fileopen_opens_by_api_total{api="open_by_handle_at",result="success"}"#: 6,
                #"fileopen_opens_by_api_total{api="open_by_handle_at",result="failure"}"#: 3,
                #"fileopen_open_api_covered{api="syscall"}"#: 1,
                #"fileopen_open_api_covered{api="io_uring"}"#: 1,
                #"fileopen_open_api_covered{api="open_by_handle_at"}"#: 1,
            ]
            var samples: [String: Double] = [:]
            let arrived = try TestEnvironment.waitUntil {
                samples = MetricsClient.samples(try client.scrape())
                return expected.allSatisfy { samples[$0.key] == $0.value }
            }
            #expect(arrived, "differ: \(expected.filter { samples[$0.key] != $0.value }.map { "\($0.key) = \(samples[$0.key] ?? -1)" })")

            let proc = try ExactnessUnderLossTests.ctl(socket, ["proc", String(uringPID)])
            #expect(proc["opens"] as? Int == 13 && proc["creates"] as? Int == 13, "\(proc)")
            let topPaths = proc["top_paths"] as? [[String: Any]] ?? []
            if level == .events {
                #expect(topPaths.first?["path"] as? String == existing && topPaths.first?["opens"] as? Int == 13, "\(topPaths)")
            }
            let top = try ExactnessUnderLossTests.ctl(socket, ["top", "--comm", uringFail])
            let ranked = top["processes"] as? [[String: Any]] ?? []
            #expect(ranked.first?["opens"] as? Int == 4 && ranked.first?["errors"] as? Int == 4, "\(top)")

            let apis = try ExactnessUnderLossTests.ctl(socket, ["status"])["apis"] as? [String: [String: Any]]
            #expect(apis?["syscall"]?["covered"] as? Bool == true)
            #expect(apis?["io_uring"]?["opens"] as? Int == 17 && apis?["io_uring"]?["failed"] as? Int == 4, "\(String(describing: apis))")
            #expect(apis?["open_by_handle_at"]?["opens"] as? Int == 9 && apis?["open_by_handle_at"]?["failed"] as? Int == 3)
        }
    }
}
