// Micro-benchmarks of fileopend's hot units, with allocation counts so a regression shows as a
// number: record decode + aggregate (per record), /metrics rendering at 10 k and 100 k tracked
// processes, event JSON lines (by hand and by JSONEncoder), and HTTP request-head parsing. The
// inputs are built once, outside the measured loop.
import Benchmark
import CFileOpend
import FileOpenCore
import FileOpenProbe
import FileOpenServer
import FileOpenSystem

/// The bytes of one ring-buffer open record, laid out through the shared `struct fileopend_record`,
/// resolved as the kernel program resolves an absolute path: a success by its file (the same
/// path), a failure lexically (the root, "/", to join the name to).
func recordBytes(pid: UInt32, path: String, result: Int64) -> [UInt8] {
    let resolved = result >= 0 ? path : "/"
    var header = fileopend_record()
    header.timestamp_ns = 1_000_000
    header.process_start_ns = UInt64(pid) * 1000
    header.cgroup_id = 1
    header.result = result
    header.tgid = pid
    header.tid = pid
    header.open_flags = 0o2_000_000  // O_CLOEXEC, read-only
    header.kind = UInt16(FILEOPEND_RECORD_OPEN.rawValue)
    header.syscall = UInt16(FILEOPEND_SYSCALL_OPENAT.rawValue)
    header.path_len = UInt16(path.utf8.count)
    header.resolved_len = UInt16(resolved.utf8.count)
    header.resolution = UInt16(result >= 0 ? FILEOPEND_RESOLUTION_FILE.rawValue : FILEOPEND_RESOLUTION_LEXICAL.rawValue)
    withUnsafeMutableBytes(of: &header.comm) { comm in
        for (index, byte) in "bench-worker".utf8.enumerated() { comm[index] = byte }
    }
    return withUnsafeBytes(of: header) { Array($0) } + Array(path.utf8) + Array(resolved.utf8)
}

/// An aggregator tracking `count` synthetic processes, as the daemon's test-only injection makes them.
func aggregator(processes count: Int) -> Aggregator {
    var aggregator = Aggregator(settings: AggregatorSettings(maxProcesses: count + 1000))
    SyntheticProcesses.inject(count: count, timestamp: 1_000) { aggregator.apply($0) }
    return aggregator
}

/// What the consumer thread keeps across records, and its per-record step.
struct Counting {
    var aggregator = Aggregator()
    var paths = KernelStringCache()
    var runs = OpenRunCounter()

    mutating func count(_ bytes: UnsafeRawBufferPointer) {
        guard case .open(let open)? = try? DecodedProbeRecord.view(of: bytes) else {
            fatalError("a benchmark record did not decode")
        }
        runs.count(open, into: &aggregator) { paths.decode($0) }
    }

    /// The end of a drain chunk.
    mutating func finish() {
        runs.flush(into: &aggregator)
    }
}

/// Records back to back in memory that never moves or goes, as in the ring: a record's bytes
/// stay valid while the next one is counted (`OpenRunCounter` compares them). Immutable.
final class RecordPool: @unchecked Sendable {
    private let storage: UnsafeMutableRawBufferPointer
    private let ranges: [Range<Int>]

    init(_ records: [[UInt8]]) {
        storage = .allocate(byteCount: records.reduce(0) { $0 + $1.count }, alignment: 8)
        var ranges: [Range<Int>] = []
        for record in records {
            let start = ranges.last?.upperBound ?? 0
            UnsafeMutableRawBufferPointer(rebasing: storage[start..<start + record.count]).copyBytes(from: record)
            ranges.append(start..<start + record.count)
        }
        self.ranges = ranges
    }

    deinit { storage.deallocate() }

    var count: Int { ranges.count }

    subscript(index: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: storage[ranges[index]])
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        warmupIterations: 3,
        maxDuration: .seconds(3),
        maxIterations: 10_000
    )

    // 1024 records of 64 processes × 16 paths, the mix of a busy host (no two in a row repeat);
    // then the harness's consumer-CPU scenario: one process failing to open one path, every
    // record a repeat of the one before. One scaled iteration = one record decoded and counted,
    // as the consumer thread does.
    let mixed = RecordPool((0..<1024).map { (index: Int) -> [UInt8] in
        let pid = UInt32(1000 + index % 64)
        let path = "/usr/lib/x86_64-linux-gnu/lib" + String(index % 16) + ".so.6"
        let result: Int64 = index % 4 == 0 ? -2 : 3
        return recordBytes(pid: pid, path: path, result: result)
    })
    let repeated = RecordPool([recordBytes(pid: 4242, path: "/nonexistent/fobench/missing-file", result: -2)])
    for (name, records) in [("decode + aggregate, per record", mixed),
                            ("decode + aggregate, per record, one process repeating one failing open", repeated)] {
        let mask = records.count - 1  // a power of two: no division per record
        Benchmark(name, configuration: .init(scalingFactor: .kilo)) { benchmark in
            var counting = Counting()
            var index = 0
            benchmark.startMeasurement()  // not the set-up: a fresh cache is 4096 slots to make and free
            for _ in benchmark.scaledIterations {
                counting.count(records[index & mask])
                index &+= 1
            }
            counting.finish()
            benchmark.stopMeasurement()  // before the cache is freed
            blackHole(counting)
        }
    }

    for count in [10_000, 100_000] {
        let snapshot = aggregator(processes: count)
        Benchmark(
            "render /metrics, \(count / 1000)k processes",
            configuration: .init(maxDuration: .seconds(5), maxIterations: count >= 100_000 ? 20 : 100)
        ) { benchmark in
            for _ in benchmark.scaledIterations {
                var writer = ExpositionWriter(
                    format: .prometheusText, reservingCapacity: 16_384 + 600 * count, bufferAdvice: HugePages.advise)
                ProcessMetricsRenderer.render(snapshot, into: &writer)
                blackHole(writer.finish())
            }
        }
    }

    // The tail / --print --json hot path: one event line per record, per tail client. The schema
    // is ProbeRecord's Codable conformance; EventLineFormatter writes the same lines by hand, and
    // stays only while it is measurably cheaper than JSONEncoder (QueryJSON) doing it. The third
    // benchmark is fileopenctl's side: one line decoded with JSONDecoder.
    let event = ProbeRecord.open(FileOpenEvent(
        timestamp: 5_802_441_032_907, process: ProcessIdentity(pid: 6853, startTime: 5_802_438_117_452), tid: 6853,
        uid: 1000, cgroupID: 4242, syscall: .openat, flags: OpenFlags(rawValue: 0o2_000_000), mode: 0, result: -2,
        comm: "bench-worker", path: "/usr/lib/x86_64-linux-gnu/libssl.so.3"))
    Benchmark("event JSON line, hand-written (EventLineFormatter)", configuration: .init(scalingFactor: .kilo)) { benchmark in
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64 << 10)
        for _ in benchmark.scaledIterations {
            if bytes.count > 60 << 10 { bytes.removeAll(keepingCapacity: true) }
            EventLineFormatter.appendJSONLine(event, to: &bytes)
        }
        blackHole(bytes)
    }
    Benchmark("event JSON line, JSONEncoder (QueryJSON)", configuration: .init(scalingFactor: .kilo)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? QueryJSON.line(event))
        }
    }
    let eventLine = Array(EventLineFormatter.jsonLine(event).utf8)
    Benchmark("event JSON line decoded, JSONDecoder (fileopenctl tail)", configuration: .init(scalingFactor: .kilo)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? QueryJSON.decode(TailStreamLine.self, from: eventLine))
        }
    }

    let requestText: String = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9469\r\nUser-Agent: Prometheus/2.45.0\r\n"
        + "Accept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
        + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1\r\nAccept-Encoding: gzip\r\n"
        + "X-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n"
    let request: [UInt8] = Array(requestText.utf8)
    Benchmark("parse HTTP request head (Prometheus scrape)", configuration: .init(scalingFactor: .kilo)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(HTTPRequestHead.parse(request))
        }
    }
}
