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
    }
}
