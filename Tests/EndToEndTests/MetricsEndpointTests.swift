import CTestSupport
import FileOpenTestSupport
import Foundation
import Testing

/// The real daemon serving /metrics, scraped with the real curl and checked with the real
/// promtool; processes with unique comms open unique paths a known number of times.
@Suite(
    "fileopend /metrics",
    .serialized,
    .enabled(if: TestEnvironment.canRunKernelTests, Comment(rawValue: TestEnvironment.kernelTestsSkipReason))
)
struct MetricsEndpointTests {
    /// Starts the daemon on a free port (with `environment` added to its own) and waits until it serves.
    static func startDaemon(
        _ arguments: [String] = [], isolated: [String] = DaemonProcess.isolatedArguments(),
        environment: [String: String] = [:]
    ) throws -> (DaemonProcess, MetricsClient) {
        TestEnvironment.ensureTracefs()
        let daemon = environment.isEmpty
            ? try DaemonProcess("fileopend", isolated + arguments)
            : try DaemonProcess(
                "/usr/bin/env",
                environment.map { "\($0)=\($1)" }.sorted()
                    + [ChildProcess.binDirectory.appendingPathComponent("fileopend").path] + isolated + arguments
            )
        var client: MetricsClient?
        _ = TestEnvironment.waitUntil {
            client = MetricsClient(daemonLog: daemon.errorOutput)
            return client != nil
        }
        guard let client else {
            daemon.signal(SIGKILL)
            throw TestFailure("the daemon did not start serving: \(daemon.errorOutput)")
        }
        return (daemon, client)
    }

    /// A comm no other process has: "fo-<tag>-<random>", at most 15 bytes.
    static func uniqueComm(_ tag: String) -> String {
        "fo-\(tag)-\(String(UInt32.random(in: 0...0xFFFFF), radix: 16))"
    }

    /// Forks a child named `comm` that opens `path` `count` times through `call`, and reaps it.
    @discardableResult
    static func runOpener(
        comm: [CChar], call: cts_open_call = CTS_OPENAT, path: String, flags: Int32 = O_RDONLY, count: Int
    ) -> Int32 {
        let child = comm.withUnsafeBufferPointer { cts_spawn_opener($0.baseAddress, call, path, flags, count) }
        var status: Int32 = 0
        waitpid(child, &status, 0)
        return child
    }

    @discardableResult
    static func runOpener(
        comm: String, call: cts_open_call = CTS_OPENAT, path: String, flags: Int32 = O_RDONLY, count: Int
    ) -> Int32 {
        runOpener(comm: Array(comm.utf8CString), call: call, path: path, flags: flags, count: count)
    }

    @Test("exact counts per process and per comm: opens, errors by errno, access modes, O_CREAT",
          arguments: DetailLevelName.allCases)
    func exactCounts(level: DetailLevelName) throws {
        let (daemon, client) = try Self.startDaemon(["--detail-level", "\(level)"])
        defer { daemon.stop() }
        let scratch = try TestEnvironment.makeScratchDirectory("metrics")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let existing = scratch.appendingPathComponent("existing").path
        try Data().write(to: URL(fileURLWithPath: existing))

        let reader = Self.uniqueComm("rd"), failer = Self.uniqueComm("nf"), creator = Self.uniqueComm("cr")
        let readerPID = Self.runOpener(comm: reader, path: existing, count: 17)
        let failerPID = Self.runOpener(comm: failer, path: scratch.appendingPathComponent("missing").path, count: 9)
        let creatorPID = Self.runOpener(comm: creator, call: CTS_CREAT, path: scratch.appendingPathComponent("new").path, count: 5)

        let expected: [String: Double] = [
            #"fileopen_process_opens_total{pid="\#(readerPID)",comm="\#(reader)"}"#: 17,
            #"fileopen_opens_total{comm="\#(reader)"}"#: 17,
            #"fileopen_process_opens_by_access_total{pid="\#(readerPID)",comm="\#(reader)",access="read"}"#: 17,
            #"fileopen_process_opens_total{pid="\#(failerPID)",comm="\#(failer)"}"#: 9,
            #"fileopen_process_open_errors_total{pid="\#(failerPID)",comm="\#(failer)",errno="ENOENT"}"#: 9,
            #"fileopen_open_errors_total{comm="\#(failer)",errno="ENOENT"}"#: 9,
            #"fileopen_opens_total{comm="\#(failer)"}"#: 9,
            #"fileopen_process_opens_total{pid="\#(creatorPID)",comm="\#(creator)"}"#: 5,
            #"fileopen_process_opens_with_create_total{pid="\#(creatorPID)",comm="\#(creator)"}"#: 5,
            #"fileopen_process_opens_by_access_total{pid="\#(creatorPID)",comm="\#(creator)",access="write"}"#: 5,
            #"fileopen_opens_with_create_total{comm="\#(creator)"}"#: 5,
        ]
        var samples: [String: Double] = [:]
        let arrived = try TestEnvironment.waitUntil {
            samples = MetricsClient.samples(try client.scrape())
            return expected.keys.allSatisfy { samples[$0] != nil }
        }
        #expect(arrived, "series missing: \(expected.keys.filter { samples[$0] == nil })")
        for (series, value) in expected {
            #expect(samples[series] == value, "\(series)")
        }
        #expect(samples.keys.filter { $0.contains(reader) && $0.contains("errno") }.isEmpty, "no failures for the reader")
        #expect(samples[#"fileopen_detail_level_info{level="\#(level)"}"#] == 1)
        #expect(samples[#"fileopen_drops_total{reason="ring_buffer_full"}"#] == 0)
        #expect(samples[#"fileopen_attach_mode_info{mode="\#(AutoAttachMode.expected)"}"#] == 1, "auto's choice")
        #expect(samples["fileopen_ring_buffer_size_bytes"] == Double(4 << 20))
        #expect((samples["process_resident_memory_bytes"] ?? 0) > 1_000_000)
        #expect((samples["process_open_fds"] ?? 0) > 3)
    }

    @Test("promtool accepts the live text output; the OpenMetrics output parses as OpenMetrics; hostile comms are escaped")
    func validExposition() throws {
        let (daemon, client) = try Self.startDaemon()
        defer { daemon.stop() }
        // fo " \ newline 0xFF x: quote, backslash, newline and a byte that is not UTF-8.
        let hostile: [CChar] = [0x66, 0x6F, 0x22, 0x5C, 0x0A, -1, 0x78, 0]
        let pid = Self.runOpener(comm: hostile, path: "/nonexistent/fo-hostile-\(getpid())", count: 3)
        let series = #"fileopen_process_opens_total{pid="\#(pid)",comm="fo\"\\\n\\xffx"}"#
        #expect(try TestEnvironment.waitUntil { try client.value(series) == 3 }, "\(series)")

        let text = try client.scrape()
        let promtool = try CommandResult.run("/usr/bin/promtool", ["check", "metrics"], input: Data(text.utf8))
        #expect(promtool.status == 0, "promtool: \(promtool.output)\(promtool.errorOutput)")
        #expect(try client.curl("/metrics", ["-o", "/dev/null", "-w", "%{content_type}"]).output
            == "text/plain; version=0.0.4; charset=utf-8")

        // promtool (2.42) reads only the text format, so OpenMetrics goes through the reference
        // parser of the Prometheus Python client (Debian's python3-prometheus-client).
        let openMetrics = try client.scrape(accept: "application/openmetrics-text; version=1.0.0")
        #expect(openMetrics.hasSuffix("# EOF\n"))
        #expect(openMetrics.contains(#"fileopen_process_opens_total{pid="\#(pid)",comm="fo\"\\\n\\xffx"} 3"#))
        let parse = try CommandResult.run("/usr/bin/python3", ["-c", """
            import sys
            from prometheus_client.openmetrics.parser import text_string_to_metric_families
            families = list(text_string_to_metric_families(sys.stdin.read()))
            print(len(families), sum(len(f.samples) for f in families))
            """], input: Data(openMetrics.utf8))
        #expect(parse.status == 0, "OpenMetrics parser: \(parse.errorOutput)")
        #expect(parse.output.split(separator: " ").first.flatMap { Int($0) } ?? 0 > 30, "\(parse.output)")
        #expect(try client.curl("/metrics", ["-H", "Accept: application/openmetrics-text", "-o", "/dev/null", "-w", "%{content_type}"]).output
            == "application/openmetrics-text; version=1.0.0; charset=utf-8")
    }

    @Test("a real Prometheus scrapes it with the shipped config; its query API returns the exact count")
    func realPrometheus() throws {
        let (daemon, client) = try Self.startDaemon()
        defer { daemon.stop() }
        let prometheus = try PrometheusServer(scraping: String(client.baseURL.dropFirst("http://".count)))
        let comm = Self.uniqueComm("prom")
        let pid = Self.runOpener(comm: comm, path: "/nonexistent/fo-prometheus", count: 23)

        var result: [([String: String], String)] = []
        let scraped = try TestEnvironment.waitUntil(timeout: .seconds(30)) {
            result = try prometheus.query(#"fileopen_process_opens_total{comm="\#(comm)"}"#)
            return !result.isEmpty
        }
        #expect(scraped, "Prometheus log: \(prometheus.process.errorOutput)")
        #expect(result.count == 1)
        #expect(result.first?.0["pid"] == String(pid))
        #expect(result.first?.0["job"] == "fileopend")
        #expect(result.first?.1 == "23")
        let errors = try prometheus.query(#"fileopen_open_errors_total{comm="\#(comm)"}"#)
        #expect(errors.first?.0["errno"] == "ENOENT")
        #expect(errors.first?.1 == "23")
        #expect(try prometheus.query(#"up{job="fileopend"}"#).first?.1 == "1")
        // Prometheus asks for OpenMetrics first, so this scrape went through that format.
        #expect(try prometheus.query("fileopen_build_info").first?.0["version"] != nil)
    }

    @Test("a reused pid starts from zero; after the retention window only the comm total remembers it")
    func pidReuseAndRetention() throws {
        let (daemon, client) = try Self.startDaemon(["--retention", "2"])
        defer { daemon.stop() }
        // Each attempt reuses the pid of its own opener, or gives up on it (see spawnWithPID). Other
        // tests may be forking thousands of processes meanwhile: keep trying for a while.
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let comm = Self.uniqueComm("reuse")
            let first = Self.runOpener(comm: comm, path: "/nonexistent/fo-reuse", count: 7)
            guard let second = try Self.spawnWithPID(first, comm: comm, count: 4) else {
                Thread.sleep(forTimeInterval: 0.1)
                continue
            }

            let perProcess = #"fileopen_process_opens_total{pid="\#(first)",comm="\#(comm)"}"#
            let perComm = #"fileopen_opens_total{comm="\#(comm)"}"#
            #expect(try TestEnvironment.waitUntil { try client.value(perComm) == 11 })
            #expect(second == first)
            #expect(try client.value(perProcess) == 4, "the new process of pid \(first) starts from zero")

            // Exited: gone from the per-process family after 2 s (+ up to 1 s until the next expiry).
            #expect(try TestEnvironment.waitUntil(timeout: .seconds(8)) { try client.value(perProcess) == nil })
            #expect(try client.value(perComm) == 11, "the comm total keeps its count")
            #expect(try (client.value("fileopen_processes_expired_total") ?? 0) >= 2)
            return
        }
        Issue.record("no attempt got its opener's pid again")
    }

    /// Forks an opener that gets `pid` again, by setting the kernel's last pid just below it
    /// (/proc/sys/kernel/ns_last_pid, root only); nil when another fork took the pid first. One
    /// try only: after another process has had the pid, trying again could take over the pid of
    /// an opener of another test running alongside, whose daemon would then see its process
    /// replaced (every test's daemon watches the whole host).
    static func spawnWithPID(_ pid: Int32, comm: String, count: Int) throws -> Int32? {
        try "\(pid - 1)".write(toFile: "/proc/sys/kernel/ns_last_pid", atomically: false, encoding: .utf8)
        // A child that got another pid opens nothing, so only the wanted one counts.
        let child = cts_spawn_opener_at_pid(pid, comm, CTS_OPENAT, "/nonexistent/fo-reuse", O_RDONLY, count)
        var status: Int32 = 0
        waitpid(child, &status, 0)
        return child == pid ? child : nil
    }

    @Test("over the process cap: at most K per-process series plus other, evictions counted, comm totals exact")
    func processCap() throws {
        let (daemon, client) = try Self.startDaemon(["--max-processes", "5"])
        defer { daemon.stop() }
        let comms = (0..<12).map { Self.uniqueComm("cap\($0)") }
        for comm in comms { Self.runOpener(comm: comm, path: "/nonexistent/fo-cap", count: 2) }
        #expect(try TestEnvironment.waitUntil {
            let samples = MetricsClient.samples(try client.scrape())
            return comms.allSatisfy { samples[#"fileopen_opens_total{comm="\#($0)"}"#] == 2 }
        })
        let samples = MetricsClient.samples(try client.scrape())
        let processSeries = samples.keys.filter { $0.hasPrefix("fileopen_process_opens_total{") }
        #expect(processSeries.count <= 6, "\(processSeries)")
        #expect(processSeries.contains(#"fileopen_process_opens_total{pid="other",comm="[other]"}"#))
        #expect((samples[#"fileopen_process_opens_total{pid="other",comm="[other]"}"#] ?? 0) >= 14)
        #expect((samples["fileopen_processes_evicted_total"] ?? 0) >= 7)
        #expect(samples["fileopen_tracked_process_limit"] == 5)
    }

    @Test("HTTP as users meet it: HEAD, gzip, 404, 405, health and readiness")
    func httpBehaviour() throws {
        let (daemon, client) = try Self.startDaemon()
        defer { daemon.stop() }
        let status = { (arguments: [String], path: String) throws -> String in
            try client.curl(path, ["-o", "/dev/null", "-w", "%{http_code}"] + arguments).output
        }
        #expect(try status([], "/healthz") == "200")
        #expect(try TestEnvironment.waitUntil { try status([], "/readyz") == "200" })
        #expect(try client.curl("/readyz").output == "ready\n")
        #expect(try status([], "/") == "200")
        #expect(try status([], "/nope") == "404")
        #expect(try status(["-X", "POST"], "/metrics") == "405")
        #expect(try client.curl("/metrics", ["-X", "DELETE", "-D", "-", "-o", "/dev/null"]).output.contains("Allow: GET, HEAD"))
        let head = try client.curl("/metrics", ["-I"]).output
        #expect(head.hasPrefix("HTTP/1.1 200"))
        #expect(head.contains("Content-Type: text/plain; version=0.0.4; charset=utf-8"))
        let gzipHeaders = try client.curl("/metrics", ["--compressed", "-D", "-", "-o", "/dev/null"]).output
        #expect(gzipHeaders.contains("Content-Encoding: gzip"))
        let unzipped = try client.curl("/metrics", ["--compressed"]).output
        #expect(unzipped.contains("# TYPE fileopen_opens_total counter"))
        #expect(try client.value("fileopen_http_connections_accepted_total") ?? 0 >= 9)
    }
}

/// A test precondition that did not hold.
struct TestFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
