import FileOpenTestSupport
import Foundation
import Testing

/// The shipped Grafana dashboard (docs/grafana/fileopend.json) and rules (config/fileopend-rules.yml)
/// against a real Prometheus scraping the real daemon: every panel's query, as Grafana would send
/// it, returns data, and every rule evaluates without error.
@Suite(
    "Grafana dashboard and rules in a real Prometheus",
    .serialized,
    .enabled(if: TestEnvironment.canRunKernelTests, Comment(rawValue: TestEnvironment.kernelTestsSkipReason))
)
struct DashboardTests {
    /// The parts of a Grafana dashboard this test reads; a missing field fails the decoding.
    struct Dashboard: Decodable {
        struct Templating: Decodable { let list: [Variable] }
        struct Variable: Decodable {
            let name: String
            let type: String
            let allValue: String?
        }
        struct DataSource: Decodable { let type: String?, uid: String }
        struct GridPosition: Decodable { let x: Int, y: Int, w: Int, h: Int }
        struct Target: Decodable {
            let refId: String
            let expr: String
            let instant: Bool?
        }
        struct Panel: Decodable {
            let id: Int
            let type: String
            let title: String
            let gridPos: GridPosition
            let datasource: DataSource?
            let targets: [Target]?
        }
        let title: String
        let uid: String
        let schemaVersion: Int
        let templating: Templating
        let panels: [Panel]
    }

    static var dashboardFile: URL { PrometheusServer.repository.appendingPathComponent("docs/grafana/fileopend.json") }

    static func loadDashboard() throws -> Dashboard {
        try JSONDecoder().decode(Dashboard.self, from: Data(contentsOf: dashboardFile))
    }

    /// `expr` with the dashboard's variables as Grafana fills them in for all hosts of job
    /// fileopend, and `$__rate_interval` as Grafana computes it for a 1 s scrape interval (4 ×).
    static func substitute(_ expr: String, variables: [Dashboard.Variable]) -> String {
        var result = expr.replacingOccurrences(of: "$__rate_interval", with: "4s")
        for variable in variables.sorted(by: { $0.name.count > $1.name.count }) {
            let value = variable.name == "job" ? "fileopend" : (variable.allValue ?? "")
            result = result.replacingOccurrences(of: "${\(variable.name)}", with: value)
                .replacingOccurrences(of: "$\(variable.name)", with: value)
        }
        return result
    }

    @Test("the dashboard is valid: unique panel ids, a 24-column grid without overlaps, every query on the data source variable")
    func dashboardIsValid() throws {
        let dashboard = try Self.loadDashboard()
        #expect(dashboard.uid == "fileopend")
        #expect(dashboard.schemaVersion >= 36)
        let names = Set(dashboard.templating.list.map(\.name))
        #expect(names == ["datasource", "job", "instance"])
        #expect(Set(dashboard.panels.map(\.id)).count == dashboard.panels.count, "panel ids are unique")

        let drawn = dashboard.panels.filter { $0.type != "row" }
        #expect(drawn.count >= 12)
        for panel in dashboard.panels {
            let grid = panel.gridPos
            #expect(grid.x >= 0 && grid.w > 0 && grid.x + grid.w <= 24 && grid.h > 0, "\(panel.title): \(grid)")
        }
        for (index, panel) in drawn.enumerated() {
            #expect(panel.datasource?.uid == "${datasource}", "\(panel.title)")
            let targets = panel.targets ?? []
            #expect(!targets.isEmpty, "\(panel.title) has queries")
            #expect(Set(targets.map(\.refId)).count == targets.count, "\(panel.title): refIds are unique")
            for target in targets {
                // Every $name is one of the dashboard's variables or Grafana's $__rate_interval.
                let used = target.expr.matches(of: /\$\{?([A-Za-z_]+)/).map { String($0.1) }
                #expect(used.allSatisfy { names.contains($0) || $0 == "__rate_interval" }, "\(panel.title): \(target.expr)")
                #expect(target.expr.contains("job=\"$job\",instance=~\"$instance\""), "\(panel.title): \(target.expr)")
            }
            for other in drawn[(index + 1)...] {
                let a = panel.gridPos, b = other.gridPos
                let overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
                #expect(!overlap, "\(panel.title) overlaps \(other.title)")
            }
        }
    }

    @Test("every panel's query returns data from Prometheus scraping the daemon under a known load; every rule evaluates")
    func everyPanelHasData() throws {
        let dashboard = try Self.loadDashboard()
        let (daemon, client) = try MetricsEndpointTests.startDaemon()
        defer { daemon.stop() }
        let prometheus = try PrometheusServer(scraping: String(client.baseURL.dropFirst("http://".count)))
        let scratch = try TestEnvironment.makeScratchDirectory("dashboard")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let existing = scratch.appendingPathComponent("existing").path
        try Data().write(to: URL(fileURLWithPath: existing))
        let reader = MetricsEndpointTests.uniqueComm("dash"), failer = MetricsEndpointTests.uniqueComm("dashf")

        let queries = dashboard.panels.flatMap { panel in
            (panel.targets ?? []).map { (panel.title, $0.refId, Self.substitute($0.expr, variables: dashboard.templating.list)) }
        }
        // Opens and failures go on until every query has had two scrapes of them to rate.
        var rounds = 0
        var empty: [String] = []
        let filled = try TestEnvironment.waitUntil(timeout: .seconds(90)) {
            MetricsEndpointTests.runOpener(comm: reader, path: existing, count: 40)
            MetricsEndpointTests.runOpener(comm: failer, path: scratch.appendingPathComponent("missing").path, count: 10)
            rounds += 1
            Thread.sleep(forTimeInterval: 0.25)
            empty = try queries.filter { try prometheus.query($0.2).isEmpty }.map { "\($0.0) \($0.1): \($0.2)" }
            return empty.isEmpty && rounds >= 8
        }
        #expect(filled, "queries without data: \(empty)")

        // The load is known: Prometheus ingested exactly what the openers did.
        let opens = #"fileopen_opens_total{job="fileopend",comm="\#(reader)"}"#
        var ingested: String?
        #expect(try TestEnvironment.waitUntil(timeout: .seconds(10)) {
            ingested = try prometheus.query(opens).first?.1
            return ingested == "\(rounds * 40)"
        }, "\(opens): \(ingested ?? "none"), expected \(rounds * 40)")
        let errors = #"fileopen_open_errors_total{job="fileopend",comm="\#(failer)",errno="ENOENT"}"#
        #expect(try TestEnvironment.waitUntil(timeout: .seconds(10)) { try prometheus.query(errors).first?.1 == "\(rounds * 10)" })
        let errnoPanel = try #require(queries.first { $0.0 == "Failed opens by errno" })
        #expect(try prometheus.query(errnoPanel.2).contains { $0.0["errno"] == "ENOENT" })

        // The recording rules have our commands; every rule evaluated without error.
        let recorded = try prometheus.query(#"instance_comm:fileopen_opens:rate5m{comm="\#(reader)"}"#)
        #expect((recorded.first.flatMap { Double($0.1) } ?? 0) > 0, "\(recorded)")
        let failing = try prometheus.query(#"instance_comm:fileopen_open_errors:rate5m{comm="\#(failer)"}"#)
        #expect((failing.first.flatMap { Double($0.1) } ?? 0) > 0, "\(failing)")
        let rules = try prometheus.rules()
        #expect(rules.count == 17, "\(rules)")
        #expect(rules.allSatisfy { $0.health == "ok" }, "\(rules.filter { $0.health != "ok" })")
        #expect(try prometheus.query(#"ALERTS{alertname=~"FileopendDown|FileopendConsumerStalled"}"#).isEmpty)
    }
}
