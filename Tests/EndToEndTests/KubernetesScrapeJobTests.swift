import FileOpenTestSupport
import Foundation
import Testing

/// The Kubernetes scrape job (deploy/kubernetes/prometheus.yml) in a real Prometheus scraping the
/// real daemon. Debian's Prometheus is built without Kubernetes discovery, so its pod discovery is
/// replaced by a file listing pods with the labels that discovery gives (`__meta_kubernetes_pod_*`):
/// everything after discovery, the job's relabelling, runs as it would in a cluster.
@Suite(
    "the Kubernetes scrape job in a real Prometheus",
    .enabled(if: TestEnvironment.canRunKernelTests, Comment(rawValue: TestEnvironment.kernelTestsSkipReason))
)
struct KubernetesScrapeJobTests {
    static var scrapeJob: URL { PrometheusServer.repository.appendingPathComponent("deploy/kubernetes/prometheus.yml") }

    /// A pod as Kubernetes pod discovery describes it: `__address__` is the pod IP with its declared
    /// container port (here a wrong one, so that only the annotation's port can make the scrape work).
    static func pod(name: String, node: String, ip: String, port: UInt16, scrape: String) -> [String: Any] {
        [
            "targets": [ip.contains(":") ? "[\(ip)]:1" : "\(ip):1"],
            "labels": [
                "__meta_kubernetes_pod_name": name,
                "__meta_kubernetes_pod_node_name": node,
                "__meta_kubernetes_pod_ip": ip,
                "__meta_kubernetes_pod_annotation_prometheus_io_scrape": scrape,
                "__meta_kubernetes_pod_annotation_prometheus_io_port": "\(port)",
                "__meta_kubernetes_pod_annotation_prometheus_io_path": "/metrics",
            ],
        ]
    }

    @Test("pods found by their annotations are scraped at the annotated port, labelled by node and pod")
    func relabelling() throws {
        let (daemon, client) = try MetricsEndpointTests.startDaemon()
        defer { daemon.stop() }
        let port = try #require(client.baseURL.split(separator: ":").last.flatMap { UInt16($0) })

        let shipped = try String(contentsOf: Self.scrapeJob, encoding: .utf8)
        guard let start = shipped.range(of: "    kubernetes_sd_configs:\n"),
              let end = shipped.range(of: "    relabel_configs:\n", range: start.upperBound..<shipped.endIndex)
        else { throw TestFailure("deploy/kubernetes/prometheus.yml no longer has the discovery block this test replaces") }
        let config = shipped.replacingCharacters(in: start.lowerBound..<end.lowerBound, with: "    file_sd_configs:\n      - files: [pods.json]\n")
        let pods = try JSONSerialization.data(withJSONObject: [
            Self.pod(name: "fileopend-a1b2c", node: "node-a", ip: "127.0.0.1", port: port, scrape: "true"),
            Self.pod(name: "fileopend-d3e4f", node: "node-b", ip: "::1", port: port, scrape: "true"),
            Self.pod(name: "fileopend-g5h6i", node: "node-c", ip: "127.0.0.1", port: port, scrape: "false"),
        ])
        let prometheus = try PrometheusServer(config: config, files: ["pods.json": pods])

        var up: [([String: String], String)] = []
        #expect(try TestEnvironment.waitUntil(timeout: .seconds(30)) {
            up = try prometheus.query(#"up{job="fileopend",instance="node-a"}"#)
            return up.first?.1 == "1"
        }, "up: \(up); Prometheus log: \(prometheus.process.errorOutput)")
        #expect(up.first?.0["pod"] == "fileopend-a1b2c")
        #expect(try prometheus.query(#"fileopen_build_info{job="fileopend",instance="node-a"}"#).count == 1)

        let targets = try prometheus.targets()
        #expect(targets.dropped == 1, "the pod annotated prometheus.io/scrape: false")
        let byNode = Dictionary(uniqueKeysWithValues: targets.active.map { ($0.labels["instance"] ?? "", $0) })
        #expect(Set(byNode.keys) == ["node-a", "node-b"])
        #expect(byNode["node-a"]?.scrapeURL == "http://127.0.0.1:\(port)/metrics")
        #expect(byNode["node-b"]?.scrapeURL == "http://[::1]:\(port)/metrics", "an IPv6 pod IP in brackets")
        #expect(byNode["node-b"]?.labels["pod"] == "fileopend-d3e4f")
    }
}
