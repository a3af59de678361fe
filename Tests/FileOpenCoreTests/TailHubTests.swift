import FileOpenCore
import FileOpenSystem
import FileOpenTestSupport
import Foundation
import Testing

@Suite("Tail hub: filters, bounded queues, unsubscribing")
struct TailHubTests {
    /// A mixed batch: opens of two processes (one failed, paths under /etc and /tmp) and exits.
    static let mixed: [ProbeRecord] = [
        Records.open(pid: 1, comm: "cat", at: 1, path: "/etc/hosts"),
        Records.open(pid: 2, comm: "sh", at: 2, result: -2, path: "/etc/missing"),
        Records.open(pid: 1, comm: "cat", at: 3, result: -13, path: "/tmp/secret"),
        Records.exit(pid: 2, comm: "sh", at: 4),
        Records.open(pid: 3, comm: "cat", at: 5, path: "/etcetera"),
        Records.open(pid: 3, comm: "cat", at: 6, path: "relative/etc/x"),
        Records.exit(pid: 1, comm: "cat", at: 7),
    ]

    @Test(
        "Filters keep exactly the matching records, in order; exits only without path or failed filters",
        arguments: [
            (TailFilter(), [1, 2, 3, 4, 5, 6, 7]),
            (TailFilter(pid: 1), [1, 3, 7]),
            (TailFilter(comm: "cat"), [1, 3, 5, 6, 7]),
            (TailFilter(comm: "ca"), []),
            (TailFilter(pathPrefix: "/etc/"), [1, 2]),
            (TailFilter(pathPrefix: "/etc"), [1, 2, 5]),
            (TailFilter(failedOnly: true), [2, 3]),
            (TailFilter(pid: 1, failedOnly: true), [3]),
            (TailFilter(pid: 2, comm: "sh"), [2, 4]),
            (TailFilter(comm: "sh", pathPrefix: "/etc/"), [2]),
            (TailFilter(pid: 99), []),
        ])
    func filters(filter: TailFilter, timestamps: [UInt64]) {
        let hub = TailHub()
        let subscription = hub.subscribe(filter)
        hub.publish(Self.mixed)
        let (records, dropped) = subscription.next(timeout: .zero)
        #expect(records.map(Self.timestamp) == timestamps)
        #expect(records.allSatisfy(filter.matches))
        #expect(dropped == 0)
    }

    @Test("The path prefix matches the path as passed or as resolved")
    func prefixMatchesEitherPath() throws {
        guard case .open(var event) = Records.open(pid: 1, path: "../x") else { Issue.record("not an open"); return }
        event.resolvedPath = "/srv/app/x"
        event.resolution = .file
        #expect(TailFilter(pathPrefix: "/srv/").matches(.open(event)))
        #expect(TailFilter(pathPrefix: "../").matches(.open(event)))
        #expect(!TailFilter(pathPrefix: "/etc/").matches(.open(event)))
    }

    @Test("The path prefix is compared as bytes, not by Unicode equivalence")
    func prefixIsBytes() {
        // "é" precomposed (U+00E9) and decomposed (e + U+0301) are equal Swift strings but different paths.
        let precomposed = Records.open(pid: 1, path: "/caf\u{e9}/x")
        let decomposed = Records.open(pid: 1, path: "/cafe\u{301}/x")
        let filter = TailFilter(pathPrefix: "/caf\u{e9}")
        #expect(filter.matches(precomposed))
        #expect(!filter.matches(decomposed))
    }

    @Test("A full queue keeps the oldest events and counts the rest exactly")
    func boundedQueue() {
        let hub = TailHub(queueCapacity: 4)
        let subscription = hub.subscribe(TailFilter())
        hub.publish((1...10).map { Records.open(pid: 1, at: UInt64($0)) })
        var (records, dropped) = subscription.next(timeout: .zero)
        #expect(records.map(Self.timestamp) == [1, 2, 3, 4])
        #expect(dropped == 6)
        hub.publish((11...13).map { Records.open(pid: 1, at: UInt64($0)) })
        (records, dropped) = subscription.next(timeout: .zero)
        #expect(records.map(Self.timestamp) == [11, 12, 13])
        #expect(dropped == 0)
        #expect(hub.droppedEvents == 6)
    }

    @Test("A subscriber that never reads: 100 000 records, exactly 4096 queued, the rest counted as dropped")
    func neverReads() {
        let hub = TailHub()
        let stalled = hub.subscribe(TailFilter())
        let odd = hub.subscribe(TailFilter(pid: 1))
        for batch in 0..<1000 {
            hub.publish((0..<100).map { Records.open(pid: Int32($0 % 2), at: UInt64(batch * 100 + $0)) })
        }
        let (records, dropped) = stalled.next(timeout: .zero)
        #expect(records.count == 4096)
        #expect(dropped == 100_000 - 4096)
        #expect(records.map(Self.timestamp) == (0..<4096).map(UInt64.init))
        let (oddRecords, oddDropped) = odd.next(timeout: .zero)
        #expect(oddRecords.count == 4096 && oddDropped == 50_000 - 4096)
        #expect(hub.droppedEvents == (100_000 - 4096) + (50_000 - 4096))
        #expect(stalled.next(timeout: .zero) == ([], 0))
    }

    @Test("With no subscriber, publish does nothing; a subscriber sees only what comes after it")
    func zeroSubscribers() {
        let hub = TailHub(queueCapacity: 2)
        #expect(hub.subscriberCount == 0)
        hub.publish((1...10).map { Records.open(pid: 1, at: UInt64($0)) })
        #expect(hub.droppedEvents == 0)
        let subscription = hub.subscribe(TailFilter())
        #expect(hub.subscriberCount == 1)
        #expect(subscription.next(timeout: .milliseconds(1)) == ([], 0))
        hub.publish([Records.open(pid: 1, at: 11)])
        #expect(subscription.next(timeout: .zero).records.map(Self.timestamp) == [11])
    }

    @Test("cancel() unsubscribes at once and is idempotent; deinit unsubscribes too")
    func cancelAndDeinit() {
        let hub = TailHub(queueCapacity: 2)
        let kept = hub.subscribe(TailFilter())
        let cancelled = hub.subscribe(TailFilter())
        #expect(hub.subscriberCount == 2)
        cancelled.cancel()
        cancelled.cancel()
        #expect(hub.subscriberCount == 1)
        hub.publish((1...5).map { Records.open(pid: 1, at: UInt64($0)) })
        #expect(cancelled.next(timeout: .seconds(5)) == ([], 0))
        #expect(hub.droppedEvents == 3, "only the live subscriber's drops count")
        subscribeAndDrop(hub)
        #expect(hub.subscriberCount == 1)
        #expect(kept.next(timeout: .zero).records.count == 2)
    }

    private func subscribeAndDrop(_ hub: TailHub) {
        let temporary = hub.subscribe(TailFilter(pid: 3))
        #expect(hub.subscriberCount == 2)
        _ = temporary.filter
    }

    @Test("next(timeout:) wakes for a publish from another thread, and for cancel()")
    func wakesUp() {
        let hub = TailHub()
        let subscription = hub.subscribe(TailFilter())
        let received = Locked<[ProbeRecord]>([])
        let started = ContinuousClock.now
        let waiter = DedicatedThread(name: "test-tail-wait") {
            let records = subscription.next(timeout: .seconds(30)).records
            received.withLock { $0 = records }
        }
        Thread.sleep(forTimeInterval: 0.05)
        hub.publish([Records.open(pid: 9, at: 99)])
        waiter.join()
        #expect(received.value.map(Self.timestamp) == [99])
        #expect(ContinuousClock.now - started < .seconds(20))

        let cancelledAt = Locked<ContinuousClock.Instant?>(nil)
        let second = DedicatedThread(name: "test-tail-cancel") {
            _ = subscription.next(timeout: .seconds(30))
            cancelledAt.withLock { $0 = .now }
        }
        Thread.sleep(forTimeInterval: 0.05)
        subscription.cancel()
        second.join()
        #expect(cancelledAt.value.map { $0 - started < .seconds(20) } == true)
    }

    @Test("A publisher and a reader racing: every matching record is received or counted as dropped, exactly")
    func concurrentExactness() {
        let hub = TailHub(queueCapacity: 64)
        let subscription = hub.subscribe(TailFilter(pid: 1))
        let totals = Locked<(received: Int, dropped: UInt64, ordered: Bool)>((0, 0, true))
        let reader = DedicatedThread(name: "test-tail-read") {
            var last: UInt64 = 0
            var received = 0
            var dropped: UInt64 = 0
            var ordered = true
            while received + Int(dropped) < 12_500 {
                let (records, lost) = subscription.next(timeout: .milliseconds(1))
                for record in records {
                    ordered = ordered && Self.timestamp(record) > last
                    last = Self.timestamp(record)
                }
                received += records.count
                dropped += lost
            }
            totals.withLock { $0 = (received, dropped, ordered) }
        }
        for batch in 0..<500 {
            hub.publish((0..<100).map { Records.open(pid: Int32($0 % 4), at: UInt64(batch * 100 + $0 + 1)) })
        }
        reader.join()
        let result = totals.value
        #expect(result.received + Int(result.dropped) == 12_500)
        #expect(result.ordered)
        #expect(hub.droppedEvents == result.dropped)
    }

    private static func timestamp(_ record: ProbeRecord) -> UInt64 {
        switch record {
        case .open(let event): event.timestamp
        case .exit(let exit): exit.timestamp
        }
    }
}
