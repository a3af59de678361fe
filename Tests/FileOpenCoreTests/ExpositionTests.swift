import FileOpenCore
import Testing

@Suite("Exposition")
struct ExpositionTests {
    static func render(_ format: ExpositionFormat, _ body: (inout ExpositionWriter) -> Void) -> String {
        var writer = ExpositionWriter(format: format)
        body(&writer)
        return String(decoding: writer.finish(), as: UTF8.self)
    }

    @Test("text format: counters end in _total everywhere; no EOF")
    func textCounter() {
        let text = Self.render(.prometheusText) { writer in
            writer.family("fileopen_opens", .counter, help: "Opens.")
            writer.sample(["comm": "cat"], UInt64(12_345_678_901_234))
            writer.sample(["comm": "ls"], UInt64(0))
        }
        #expect(text == """
            # HELP fileopen_opens_total Opens.
            # TYPE fileopen_opens_total counter
            fileopen_opens_total{comm="cat"} 12345678901234
            fileopen_opens_total{comm="ls"} 0

            """)
    }

    @Test("OpenMetrics: family names without _total, info type, # EOF")
    func openMetrics() {
        let text = Self.render(.openMetrics) { writer in
            writer.family("fileopen_opens", .counter, help: "Opens \"all\".")
            writer.sample(UInt64(3))
            writer.family("fileopen_build", .info, help: "Build.")
            writer.sample(["version": "1.0"], UInt64(1))
            writer.family("fileopen_scrape_duration_seconds", .gauge, help: "Time.")
            writer.sample(0.00125)
        }
        #expect(text == """
            # HELP fileopen_opens Opens \\"all\\".
            # TYPE fileopen_opens counter
            fileopen_opens_total 3
            # HELP fileopen_build Build.
            # TYPE fileopen_build info
            fileopen_build_info{version="1.0"} 1
            # HELP fileopen_scrape_duration_seconds Time.
            # TYPE fileopen_scrape_duration_seconds gauge
            fileopen_scrape_duration_seconds 0.00125
            # EOF

            """)
    }

    @Test("label values escape backslash, quote and newline; other bytes pass as UTF-8")
    func escaping() {
        let text = Self.render(.prometheusText) { writer in
            writer.family("x", .gauge, help: "a\\b\nc \"q\"")
            writer.sample(["comm": "a\"b\\c\nd\u{e9}\\xff"], UInt64(1))
        }
        #expect(text.contains("# HELP x a\\\\b\\nc \"q\"\n"), "text format help keeps quotes")
        #expect(text.contains(#"x{comm="a\"b\\c\nd\#u{e9}\\xff"} 1"#))
    }

    @Test("special float values")
    func floats() {
        let text = Self.render(.prometheusText) { writer in
            writer.family("x", .gauge, help: "x")
            writer.sample(Double.infinity)
            writer.sample(-Double.infinity)
            writer.sample(Double.nan)
            writer.sample(42.0)
            writer.sample(1e20)
        }
        #expect(text.hasSuffix("x +Inf\nx -Inf\nx NaN\nx 42\nx 1e+20\n"))
    }

    @Test("negotiation: OpenMetrics when asked for, text otherwise", arguments: [
        (nil, ExpositionFormat.prometheusText),
        ("*/*", .prometheusText),
        ("text/plain", .prometheusText),
        ("application/openmetrics-text", .openMetrics),
        ("application/openmetrics-text; version=1.0.0", .openMetrics),
        // What Prometheus 2.x sends by default.
        ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", .openMetrics),
        ("application/openmetrics-text;q=0", .prometheusText),
        ("application/openmetrics-text; version=2.0.0", .prometheusText),
        ("text/plain;q=0.9, application/openmetrics-text;q=0.5", .prometheusText),
        ("APPLICATION/OpenMetrics-Text ; q=0.8", .openMetrics),
        (";;;,,,=garbage", .prometheusText),
    ] as [(String?, ExpositionFormat)])
    func negotiation(accept: String?, expected: ExpositionFormat) {
        #expect(ExpositionFormat.negotiate(accept: accept) == expected)
    }

    @Test("per-process families: pid and comm labels, errors by name, other bucket, comm totals")
    func processFamilies() {
        var aggregator = Aggregator(settings: AggregatorSettings(maxProcesses: 1))
        aggregator.apply([Records.open(pid: 7, comm: "old", at: 1)])
        aggregator.apply([Records.open(pid: 9, comm: "q\"s", at: 2, flags: 0o101, result: -2)])
        let text = Self.render(.prometheusText) { ProcessMetricsRenderer.render(aggregator, into: &$0) }
        let lines = Set(text.split(separator: "\n").map(String.init))
        for expected in [
            #"fileopen_process_opens_total{pid="9",comm="q\"s"} 1"#,
            #"fileopen_process_opens_total{pid="other",comm="[other]"} 1"#,
            #"fileopen_process_open_errors_total{pid="9",comm="q\"s",errno="ENOENT"} 1"#,
            #"fileopen_process_opens_by_access_total{pid="9",comm="q\"s",access="write"} 1"#,
            #"fileopen_process_opens_by_access_total{pid="other",comm="[other]",access="read"} 1"#,
            #"fileopen_process_opens_with_create_total{pid="9",comm="q\"s"} 1"#,
            #"fileopen_opens_total{comm="old"} 1"#,
            #"fileopen_open_errors_total{comm="q\"s",errno="ENOENT"} 1"#,
            #"fileopen_opens_with_create_total{comm="q\"s"} 1"#,
        ] {
            #expect(lines.contains(expected), "\(expected)")
        }
        #expect(!text.contains(#"pid="7""#), "evicted")
    }

    @Test("self-metrics: the aggregator's and the tail hub's loss stages are exported at 0 from the start")
    func lossStagesAtZero() {
        var figures = DaemonFigures()
        figures.append(TailHub.Statistics())
        let text = Self.render(.prometheusText) {
            AggregatorMetricsRenderer.render(Aggregator(), into: &$0)
            figures.writeMetrics(into: &$0)
        }
        for expected in [
            "fileopen_missed_opens_total 0",
            "fileopen_processes_evicted_total 0",
            "fileopen_comm_overflow_opens_total 0",
            "fileopen_top_paths_dropped_total 0",
            "fileopen_tail_dropped_events_total 0",
            "fileopen_query_tail_clients 0",
        ] {
            #expect(text.contains(expected + "\n"), "\(expected)")
        }
    }

    @Test("daemon figures: every value is written in order, and read back by its type")
    func daemonFigures() {
        var figures = DaemonFigures()
        figures.append(BuildInfo(version: "9.9", libbpfVersion: "1.1"))
        figures.append(TailHub.Statistics(subscribers: 2, droppedEvents: 5))
        #expect(figures[TailHub.Statistics.self] == TailHub.Statistics(subscribers: 2, droppedEvents: 5))
        #expect(figures[BuildInfo.self]?.version == "9.9")
        #expect(figures[ProcessUsage.self] == nil)
        let text = Self.render(.prometheusText) { figures.writeMetrics(into: &$0) }
        let build = text.range(of: #"fileopen_build_info{version="9.9",libbpf_version="1.1"} 1"#)
        let dropped = text.range(of: "fileopen_tail_dropped_events_total 5\n")
        #expect(build != nil && dropped != nil && build!.lowerBound < dropped!.lowerBound, "\(text)")
    }

    @Test("a per-process sample is byte for byte the labelled sample it stands for", arguments: [
        (Int32(1234), "nginx", nil), (Int32(0), "a\"b\\c\nd", ("errno", "ENOENT")), (Int32(-7), "", ("access", "read")),
        (Int32.max, "\\xff", ("access", "read_write")), (Int32(5), "x", ("errno", "E\"Q\\\n")),
        (Int32(6), String(repeating: "long-comm-", count: 30), nil),
        (Int32(8), String(repeating: "c", count: 200), ("errno", "ENOENT")),
    ] as [(Int32, String, (name: StaticString, value: String)?)])
    func processSample(pid: Int32, comm: String, extra: (name: StaticString, value: String)?) {
        for (format, value) in [ExpositionFormat.prometheusText, .openMetrics].flatMap({ format in
            [0, 7, 10, 42, 1_000_000, UInt64.max].map { (format, $0) }
        }) {
            var fast = ExpositionWriter(format: format)
            var general = ExpositionWriter(format: format)
            fast.family("fileopen_process_opens", .counter, help: "h")
            general.family("fileopen_process_opens", .counter, help: "h")
            // A label writer already holding another process's labels, as in a scrape.
            var labels = ExpositionWriter(format: format)
            labels.appendProcessLabels(pid: 99, comm: "other")
            let start = labels.bytes.count
            labels.appendProcessLabels(pid: pid, comm: comm)
            labels.bytes.withUnsafeBufferPointer { labels in
                fast.processSample(labels: UnsafeBufferPointer(rebasing: labels[start...]), extra: extra, value)
            }
            if let extra {
                general.sample(["pid": String(pid), "comm": comm, "\(extra.name)": extra.value], value)
            } else {
                general.sample(["pid": String(pid), "comm": comm], value)
            }
            #expect(fast.finish() == general.finish())
        }
    }
}
