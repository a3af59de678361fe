import FileOpenCore
import FileOpenTestSupport
import Testing

@Suite("Process storage: errno counts and the process table")
struct ProcessStorageTests {
    @Test("errno counts keep every errno, in order of first failure, inline or not")
    func errnoCounts() {
        var counts = ErrnoCounts()
        #expect(counts.count == 0 && Array(counts).isEmpty)
        let failures: [Int32] = [2, 13, 2, 0, 24, 2, 13, 4095, 0]
        for errno in failures { counts.add(errno, 1) }
        #expect(counts.map(\.errno) == [2, 13, 0, 24, 4095])
        #expect(counts.map(\.count) == [3, 2, 2, 1, 1])
        #expect(counts.count == 5)
        #expect(counts.count(of: 24) == 1 && counts.count(of: 1) == 0)
        #expect(counts.reduce(0) { $0 + $1.count } == UInt64(failures.count))

        var merged = OpenCounters()
        var other = OpenCounters()
        other.countMissed(MissedOpens(opens: 1, reads: 1, comm: "x"))
        merged.merge(other)
        #expect(Array(merged.errors).isEmpty, "no failure, no errno")
    }

    @Test("counters merged from several processes add per errno, whatever the slot")
    func mergeAcrossSlots() {
        func counters(_ results: [Int64]) -> OpenCounters {
            var counters = OpenCounters()
            for result in results {
                guard case .open(let event) = Records.open(pid: 1, result: result) else { continue }
                counters.count(flags: event.flags, result: event.result)
            }
            return counters
        }
        var total = counters([-2, -13, -24])
        total.merge(counters([-24, -2, -1, -1]))
        #expect(total.errors.map(\.errno) == [2, 13, 24, 1])
        #expect(total.errors.map(\.count) == [2, 1, 2, 2])
        #expect(total.failedOpens == 7 && total.opens == 7)
    }

    @Test("the process table finds every pid after removals move processes around")
    func tableKeepsPositions() {
        var aggregator = Aggregator(settings: AggregatorSettings(maxProcesses: 1000))
        aggregator.apply((1...300).flatMap { pid in
            Array(repeating: Records.open(pid: Int32(pid), at: UInt64(pid)), count: pid % 7 + 1)
        })
        // Exit and expire every third process: removals from the middle of the dense table.
        aggregator.apply((1...300).filter { $0 % 3 == 0 }.map { Records.exit(pid: Int32($0), at: 400) })
        aggregator.expire(now: 400 + aggregator.settings.retentionNanoseconds)

        #expect(aggregator.processes.count == 200)
        #expect(Set(aggregator.processes.pids) == Set((1...300).filter { $0 % 3 != 0 }.map(Int32.init)))
        for pid in 1...300 {
            let process = aggregator.processes[Int32(pid)]
            if pid % 3 == 0 {
                #expect(process == nil, "pid \(pid) expired")
            } else {
                #expect(process?.counters.opens == UInt64(pid % 7 + 1), "pid \(pid)")
                #expect(process?.identity.pid == Int32(pid))
            }
        }
        // Counting after the moves reaches the right process.
        aggregator.apply([Records.open(pid: 299, at: 500)])
        #expect(aggregator.processes[299]?.counters.opens == UInt64(299 % 7 + 2))
    }

    @Test("random opens, pid reuse, exits and expiry agree with a plain dictionary (fixed seed)")
    func tableAgreesWithModel() {
        var random = SplitMix64(seed: 0x5EED)
        var aggregator = Aggregator(settings: AggregatorSettings(retention: .zero, maxProcesses: 1_000_000))
        var model: [Int32: (start: UInt64, opens: UInt64)] = [:]
        // Pids that share low bits, as a host's do, in a pool small enough to collide and reuse.
        let pool: [Int32] = (0..<2000).map { (index: Int) -> Int32 in Int32(300 + (index % 50) * 4096 + index / 50) }
        var now: UInt64 = 1
        for step in 1...30_000 {
            now += 1
            let pid = pool[Int.random(in: 0..<pool.count, using: &random)]
            switch Int.random(in: 0..<10, using: &random) {
            case 0...6:
                let start = model[pid]?.start ?? now
                aggregator.apply([Records.open(pid: pid, start: start, at: now)])
                model[pid, default: (start, 0)].opens += 1
            case 7:
                // The pid is reused by a new process.
                aggregator.apply([Records.open(pid: pid, start: now, at: now)])
                model[pid] = (now, 1)
            default:
                if let tracked = model[pid] {
                    aggregator.apply([Records.exit(pid: pid, start: tracked.start, at: now)])
                    aggregator.expire(now: now)
                    model[pid] = nil
                }
            }
            if step % 1000 == 0 {
                #expect(aggregator.processes.count == model.count, "step \(step)")
                #expect(Set(aggregator.processes.pids) == Set(model.keys), "step \(step)")
                for (pid, tracked) in model where aggregator.processes[pid]?.counters.opens != tracked.opens {
                    Issue.record("step \(step): pid \(pid) has \(String(describing: aggregator.processes[pid]?.counters.opens)) opens, expected \(tracked.opens)")
                }
            }
        }
    }
}
