import FileOpenCore
import Testing

@Suite("Missed-opens reports")
struct MissedOpensTrackerTests {
    let a = ProcessIdentity(pid: 10, startTime: 1)
    let b = ProcessIdentity(pid: 20, startTime: 2)

    @Test("Only new misses count; at most one report per interval; the worst process is named")
    func reportsDeltasAtMostOncePerInterval() {
        var tracker = MissedOpensTracker(interval: .seconds(60))
        let start = ContinuousClock.now
        let first = tracker.observe([a: MissedOpens(opens: 5, comm: "nginx")], now: start)
        #expect(first == .init(opens: 5, processes: 1, worst: a, worstComm: "nginx", worstOpens: 5))
        // Within the interval: accumulated, not reported.
        #expect(tracker.observe([a: MissedOpens(opens: 8, comm: "nginx"), b: MissedOpens(opens: 40, comm: "find")],
                                now: start + .seconds(10)) == nil)
        #expect(tracker.observe([a: MissedOpens(opens: 9, comm: "nginx"), b: MissedOpens(opens: 40, comm: "find")],
                                now: start + .seconds(20)) == nil)
        let second = tracker.observe([a: MissedOpens(opens: 9, comm: "nginx"), b: MissedOpens(opens: 40, comm: "find")],
                                     now: start + .seconds(61))
        #expect(second == .init(opens: 44, processes: 2, worst: b, worstComm: "find", worstOpens: 40))
        // Nothing new: no report, however long it has been.
        #expect(tracker.observe([a: MissedOpens(opens: 9, comm: "nginx")], now: start + .seconds(600)) == nil)
    }

    @Test("A process that left the map and comes back with the same identity counts from zero")
    func forgottenEntries() {
        var tracker = MissedOpensTracker(interval: .zero)
        let now = ContinuousClock.now
        _ = tracker.observe([a: MissedOpens(opens: 7, comm: "x")], now: now)
        #expect(tracker.observe([:], now: now) == nil)
        #expect(tracker.observe([a: MissedOpens(opens: 3, comm: "x")], now: now)?.opens == 3)
    }
}
