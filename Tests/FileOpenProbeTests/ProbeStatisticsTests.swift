import FileOpenCore
import FileOpenProbe
import Testing

/// The probe's and the consumer's statistics as metrics: every loss stage at 0 from the start.
@Suite("Probe statistics as metrics")
struct ProbeStatisticsTests {
    @Test("every drop reason and the undecodable count are exported at 0 before anything is read")
    func lossStagesAtZero() {
        var writer = ExpositionWriter(format: .prometheusText)
        ProbeStatistics().writeMetrics(into: &writer)
        FileOpenConsumer.Statistics().writeMetrics(into: &writer)
        let text = String(decoding: writer.finish(), as: UTF8.self)
        for reason in DropReason.allCases {
            #expect(text.contains(#"fileopen_drops_total{reason="\#(reason)"} 0"# + "\n"), "\(reason)")
        }
        for expected in [
            #"fileopen_missed_map_capacity{map="missed"} 0"#,
            #"fileopen_records_received_total{kind="open"} 0"#,
            #"fileopen_records_received_total{kind="exit"} 0"#,
            "fileopen_records_undecodable_total 0",
            "fileopen_consumer_drains_total 0",
        ] {
            #expect(text.contains(expected + "\n"), "\(expected)")
        }
        for reason in OpenFilters.Reason.allCases {
            #expect(text.contains(#"fileopen_filtered_opens_total{kind="\#(reason)"} 0"# + "\n"), "\(reason)")
        }
        #expect(text.contains("# TYPE fileopen_filter_info gauge") && !text.contains("fileopen_filter_info{"),
                "the family without a sample when no filter is set")
    }

    @Test("fileopen_filter_info: one sample per rule in force, as written")
    func filterInfo() throws {
        var statistics = ProbeStatistics()
        statistics.filters = try OpenFilters(parsing: ["exclude comm=a\"b", "failed-only"])
        statistics.filtered = [.comm: 7]
        var writer = ExpositionWriter(format: .prometheusText)
        statistics.writeMetrics(into: &writer)
        let text = String(decoding: writer.finish(), as: UTF8.self)
        #expect(text.contains(#"fileopen_filter_info{filter="exclude comm=a\"b"} 1"# + "\n"), "\(text)")
        #expect(text.contains(#"fileopen_filter_info{filter="failed-only"} 1"# + "\n"))
        #expect(text.contains(#"fileopen_filtered_opens_total{kind="comm"} 7"# + "\n"))
    }
}
