import Foundation
import Synchronization

/// Scrapes /metrics with the real curl at a fixed interval on a thread of its own, as Prometheus
/// would (OpenMetrics, gzip), recording each scrape's status and time (curl's own
/// `time_total`: connect to last byte).
final class ScrapeLoop: Sendable {
    struct Scrape: Sendable {
        /// 0 when curl got no response (timeout, refused).
        let status: Int
        let seconds: Double
    }

    private let scrapes = Mutex<[Scrape]>([])
    private let stopping = Atomic<Bool>(false)
    private let finished = DispatchGroup()

    /// Starts scraping `metrics` every `interval` seconds (the interval is between starts).
    init(_ metrics: MetricsClient, every interval: Double) {
        finished.enter()
        Thread.detachNewThread { [self] in
            defer { finished.leave() }
            while !stopping.load(ordering: .acquiring) {
                let started = Date()
                let result = try? metrics.curl("/metrics", [
                    "-o", "/dev/null", "-w", "%{http_code} %{time_total}", "--compressed",
                    "-H", "Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5",
                ])
                let fields = result?.output.split(separator: " ") ?? []
                let scrape = Scrape(
                    status: fields.first.flatMap { Int($0) } ?? 0, seconds: fields.last.flatMap { Double($0) } ?? 10)
                scrapes.withLock { $0.append(scrape) }
                Thread.sleep(forTimeInterval: max(0, interval - Date().timeIntervalSince(started)))
            }
        }
    }

    /// The scrapes so far.
    var results: [Scrape] { scrapes.withLock { $0 } }

    /// Stops after the scrape under way; returns every scrape.
    func stop() -> [Scrape] {
        stopping.store(true, ordering: .releasing)
        finished.wait()
        return results
    }
}
