import FileOpenTestSupport
import Foundation
import Testing

/// Counters the servers keep reach /metrics as kept: the bytes each server wrote, counted exactly
/// against what the clients received, and the accept errors at 0.
@Suite(
    "fileopend server statistics",
    .serialized,
    .enabled(if: TestEnvironment.canRunKernelTests, Comment(rawValue: TestEnvironment.kernelTestsSkipReason))
)
struct ServerStatisticsEndToEndTests {
    @Test("bytes sent: the metrics listener's and the query socket's grow by exactly what their clients received")
    func bytesSent() throws {
        let daemon = try QuerySocketTests.Daemon()
        defer { daemon.stop() }

        // One scrape, its head and body sizes as curl received them; the next scrape's counter
        // has grown by exactly that (nothing else talks to this daemon's port).
        let first = try daemon.metrics.curl("/metrics", ["-w", "\n%{size_header} %{size_download}"]).output
        guard let split = first.lastIndex(of: "\n") else { throw TestFailure("no sizes from curl: \(first)") }
        let sizes = first[first.index(after: split)...].split(separator: " ").compactMap { Double($0) }
        #expect(sizes.count == 2)
        let before = MetricsClient.samples(String(first[..<split]))
        let second = MetricsClient.samples(try daemon.metrics.scrape())
        let httpBefore = try #require(before["fileopen_http_sent_bytes_total"])
        #expect(second["fileopen_http_sent_bytes_total"] == httpBefore + sizes.reduce(0, +))
        #expect(second["fileopen_http_accept_errors_total"] == 0)
        #expect(second["fileopen_query_accept_errors_total"] == 0)

        // One status request: the reply line and its newline.
        let queryBefore = try #require(second["fileopen_query_sent_bytes_total"])
        let client = try daemon.client()
        let request = try JSONSerialization.data(withJSONObject: ["version": 1, "command": "status"])
        try client.send(String(decoding: request, as: UTF8.self))
        let reply = try #require(client.readLine())
        #expect(reply.contains(#""ok":true"#), "\(reply)")
        let after = MetricsClient.samples(try daemon.metrics.scrape())
        #expect(after["fileopen_query_sent_bytes_total"] == queryBefore + Double(reply.utf8.count + 1))
        #expect(after["fileopen_query_connections_accepted_total"] == (second["fileopen_query_connections_accepted_total"] ?? -1) + 1)
        #expect(after["fileopen_query_credential_failures_total"] == 0)
    }
}
