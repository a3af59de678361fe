import FileOpenCore
import FileOpenTestSupport
import Testing

@Suite("Top paths and rates")
struct TopPathsTests {
    @Test("below capacity every count is exact, ranked by opens then path")
    func exactBelowCapacity() {
        var top = TopPaths()
        for (path, count) in [("/b", 3), ("/a", 3), ("/c", 9)] {
            for _ in 0..<count { top.count(path) }
        }
        #expect(top.ranked.map(\.path) == ["/c", "/a", "/b"])
        #expect(top.ranked.map(\.opens) == [9, 3, 3])
        #expect(top.ranked.allSatisfy { $0.overestimate == 0 })
    }

    @Test("a heavy path among many rare ones is always found, its count within the bound (fixed seed)")
    func heavyHitterFound() throws {
        var top = TopPaths()
        var generator = SplitMix64(seed: 42)
        var trueCount = 0
        for _ in 0..<20_000 {
            if UInt8.random(in: 0..<4, using: &generator) == 0 {
                top.count("/etc/hot")
                trueCount += 1
            } else {
                top.count("/tmp/rare-\(UInt32.random(in: 0..<5000, using: &generator))")
            }
        }
        #expect(top.entries.count == TopPaths.capacity)
        let hot = try #require(top.ranked.first)
        #expect(hot.path == "/etc/hot")
        #expect(hot.opens >= UInt64(trueCount))
        #expect(hot.opens - hot.overestimate <= UInt64(trueCount))
    }

    @Test("rates are per second over the last full window; reset clears detail, not counters")
    func ratesAndReset() throws {
        var aggregator = Aggregator(settings: AggregatorSettings(rateWindow: .seconds(10)))
        let cat = ProcessIdentity(pid: 100, startTime: 1)
        aggregator.apply(Array(repeating: Records.open(pid: 100, result: -2), count: 30))
        aggregator.apply(Array(repeating: Records.open(pid: 100), count: 20))
        #expect(aggregator.process(cat)?.opensPerSecond == 0, "no window has passed")
        aggregator.rollRateWindow()
        #expect(aggregator.process(cat)?.opensPerSecond == 5)
        #expect(aggregator.process(cat)?.errorsPerSecond == 3)
        aggregator.apply(Array(repeating: Records.open(pid: 100), count: 10))
        aggregator.rollRateWindow()
        #expect(aggregator.process(cat)?.opensPerSecond == 1)
        #expect(aggregator.process(cat)?.errorsPerSecond == 0)
        #expect(aggregator.process(cat)?.topPaths.ranked.first?.opens == 60)

        #expect(aggregator.resetDetail() == 1)
        let process = try #require(aggregator.process(cat))
        #expect(process.topPaths.entries.isEmpty)
        #expect(process.opensPerSecond == 0)
        #expect(process.counters.opens == 60, "exported counters survive a reset")
        #expect(aggregator.comms["cat"]?.opens == 60)
        aggregator.apply([Records.open(pid: 100)])
        aggregator.rollRateWindow()
        #expect(aggregator.process(cat)?.opensPerSecond == 0.1, "the window restarts at the reset")
    }

    @Test("records are counted under their resolved path: one file through two spellings is one entry, shown with the path first passed")
    func keyedByResolvedPath() throws {
        var aggregator = Aggregator(settings: AggregatorSettings())
        let process = ProcessIdentity(pid: 300, startTime: 1)
        // (passed, resolved bytes from the kernel, resolution, result)
        let opens: [(String, String, PathResolution, Int64)] = [
            ("./hosts", "/etc/hosts", .file, 3),
            ("../etc/hosts", "/etc/hosts", .file, 3),
            ("/etc/hosts", "/etc/hosts", .file, 3),
            ("hosts", "/srv", .lexical, -2),
            ("hosts", "/srv", .lexical, -2),
            ("./x", "", .unresolved, -2),
        ]
        for (passed, resolved, resolution, result) in opens {
            var passed = passed, resolved = resolved
            passed.withUTF8 { passedBytes in
                resolved.withUTF8 { resolvedBytes in
                    aggregator.count(OpenRecordView(
                        timestamp: 1, process: process, flags: OpenFlags(rawValue: 0), result: result, comm: CommBytes("cat"),
                        path: UnsafeRawBufferPointer(passedBytes), resolved: UnsafeRawBufferPointer(resolvedBytes),
                        resolution: resolution
                    )) { KernelString.decode($0) }
                }
            }
        }
        let ranked = try #require(aggregator.process(process)).topPaths.ranked
        #expect(ranked.map(\.path) == ["/etc/hosts", "/srv/hosts", "./x"])
        #expect(ranked.map(\.opens) == [3, 2, 1])
        #expect(ranked.map(\.name.passed) == ["./hosts", "hosts", "./x"], "the path as first passed")
        #expect(ranked.map(\.name.resolution) == [.file, .lexical, .unresolved])
    }
}
