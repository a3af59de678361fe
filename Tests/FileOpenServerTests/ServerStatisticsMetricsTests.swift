import FileOpenCore
import FileOpenServer
import Testing

/// The servers' statistics as metrics: every loss stage at 0 from the start, and each counter
/// under its documented name.
@Suite("Server statistics as metrics")
struct ServerStatisticsMetricsTests {
    static func render(_ statistics: some ComponentStatistics) -> String {
        var writer = ExpositionWriter(format: .prometheusText)
        statistics.writeMetrics(into: &writer)
        return String(decoding: writer.finish(), as: UTF8.self)
    }

    @Test("HTTP: every loss stage at 0 from the start, the cap as set")
    func httpAtZero() {
        let text = Self.render(HTTPServerStatistics(connectionLimit: 1000))
        for expected in [
            #"fileopen_http_requests_total{code="503"} 0"#,
            "fileopen_http_connections 0",
            "fileopen_http_connection_limit 1000",
            "fileopen_http_connections_refused_total 0",
            "fileopen_http_connections_evicted_total 0",
            "fileopen_http_requests_refused_total 0",
            #"fileopen_http_timeouts_total{kind="head"} 0"#,
            #"fileopen_http_timeouts_total{kind="idle"} 0"#,
            #"fileopen_http_timeouts_total{kind="write"} 0"#,
            "fileopen_http_responses_shed_total 0",
            "fileopen_http_client_disconnects_total 0",
            "fileopen_http_accept_errors_total 0",
            "fileopen_http_sent_bytes_total 0",
        ] {
            #expect(text.contains(expected + "\n"), "\(expected)")
        }
    }

    @Test("query socket: every loss stage at 0 from the start, the cap as set")
    func queryAtZero() {
        let text = Self.render(QueryServerStatistics(clientLimit: 64))
        for expected in [
            "fileopen_query_clients 0",
            "fileopen_query_client_limit 64",
            "fileopen_query_requests_total 0",
            "fileopen_query_errors_total 0",
            "fileopen_query_connections_refused_total 0",
            "fileopen_query_connections_evicted_total 0",
            "fileopen_query_requests_refused_total 0",
            #"fileopen_query_timeouts_total{kind="idle"} 0"#,
            #"fileopen_query_timeouts_total{kind="write"} 0"#,
            "fileopen_query_replies_shed_total 0",
            "fileopen_query_connections_accepted_total 0",
            "fileopen_query_client_disconnects_total 0",
            "fileopen_query_credential_failures_total 0",
            "fileopen_query_accept_errors_total 0",
            "fileopen_query_sent_bytes_total 0",
        ] {
            #expect(text.contains(expected + "\n"), "\(expected)")
        }
    }

    @Test("a counter is written as the server keeps it")
    func countersAsKept() {
        var http = HTTPServerStatistics()
        http.acceptErrors = 3
        http.bytesSent = 12_345
        http.requestsByStatus[200] = 7
        let httpText = Self.render(http)
        #expect(httpText.contains("fileopen_http_accept_errors_total 3\n"))
        #expect(httpText.contains("fileopen_http_sent_bytes_total 12345\n"))
        #expect(httpText.contains(#"fileopen_http_requests_total{code="200"} 7"# + "\n"))
        var query = QueryServerStatistics()
        query.acceptErrors = 2
        query.bytesSent = 99
        let queryText = Self.render(query)
        #expect(queryText.contains("fileopen_query_accept_errors_total 2\n"))
        #expect(queryText.contains("fileopen_query_sent_bytes_total 99\n"))
    }
}
