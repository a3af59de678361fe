import FileOpenTestSupport
import Foundation

/// A real Prometheus server (Debian's `prometheus`) on a free loopback port, scraping the daemon
/// with the project's own config/prometheus.yml (its target and intervals rewritten for the test)
/// and evaluating the rules it loads, config/fileopend-rules.yml; or with another configuration.
final class PrometheusServer {
    let process: DaemonProcess
    let baseURL: String
    private let directory: URL

    /// The repository's root directory.
    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// The project's shipped scrape config.
    static var shippedConfig: URL { repository.appendingPathComponent("config/prometheus.yml") }

    /// The rule file it loads, by a path relative to itself.
    static var shippedRules: URL { repository.appendingPathComponent("config/fileopend-rules.yml") }

    /// Prometheus with the shipped config/prometheus.yml and its rules, scraping `target` (HOST:PORT).
    convenience init(scraping target: String) throws {
        let shipped = try String(contentsOf: Self.shippedConfig, encoding: .utf8)
        guard shipped.contains("\"127.0.0.1:9469\""), shipped.contains("  - fileopend-rules.yml\n") else {
            throw TestFailure("config/prometheus.yml no longer has the target and rule file this test rewrites")
        }
        try self.init(
            config: shipped.replacingOccurrences(of: "\"127.0.0.1:9469\"", with: "\"\(target)\""),
            files: ["fileopend-rules.yml": try Data(contentsOf: Self.shippedRules)]
        )
    }

    /// Prometheus with the configuration `config`, its intervals (15 s, 10 s) made 1 s, and `files`
    /// beside it (what it names by relative paths: rule files, file_sd target lists).
    init(config: String, files: [String: Data] = [:]) throws {
        guard config.contains("scrape_interval: 15s"), config.contains("scrape_timeout: 10s"),
              config.contains("evaluation_interval: 15s")
        else {
            throw TestFailure("the configuration no longer has the intervals this test rewrites")
        }
        directory = try TestEnvironment.makeScratchDirectory("prometheus")
        let configFile = directory.appendingPathComponent("prometheus.yml")
        try config.replacingOccurrences(of: "scrape_interval: 15s", with: "scrape_interval: 1s")
            .replacingOccurrences(of: "scrape_timeout: 10s", with: "scrape_timeout: 1s")
            .replacingOccurrences(of: "evaluation_interval: 15s", with: "evaluation_interval: 1s")
            .write(to: configFile, atomically: true, encoding: .utf8)
        for (name, contents) in files {
            try contents.write(to: directory.appendingPathComponent(name))
        }
        let port = try Self.freePort()
        baseURL = "http://127.0.0.1:\(port)"
        process = try DaemonProcess("/usr/bin/prometheus", [
            "--config.file=\(configFile.path)", "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
            "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
        ])
        let ready = try TestEnvironment.waitUntil(timeout: .seconds(20)) {
            try CommandResult.run("/usr/bin/curl", ["-sf", "--max-time", "1", "\(baseURL)/-/ready"]).status == 0
        }
        guard ready else { throw TestFailure("Prometheus did not become ready: \(process.errorOutput)") }
    }

    deinit {
        process.signal(SIGKILL)
        _ = process.waitForExit(timeout: 5)
        try? FileManager.default.removeItem(at: directory)
    }

    /// The result vector of an instant query, as (labels, value) pairs; throws the API's error
    /// (a query that does not parse, a vector where a scalar is needed...).
    func query(_ promQL: String) throws -> [([String: String], String)] {
        let result = try CommandResult.run("/usr/bin/curl", [
            "-sS", "--max-time", "5", "\(baseURL)/api/v1/query", "--data-urlencode", "query=\(promQL)",
        ])
        guard let object = try? JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any] else {
            return []
        }
        if object["status"] as? String == "error" {
            throw TestFailure("Prometheus refused \(promQL): \(object["errorType"] ?? "?"): \(object["error"] ?? "?")")
        }
        guard let data = object["data"] as? [String: Any], let vector = data["result"] as? [[String: Any]]
        else { return [] }
        return vector.compactMap { sample in
            guard let metric = sample["metric"] as? [String: String], let value = sample["value"] as? [Any],
                  value.count == 2, let text = value[1] as? String else { return nil }
            return (metric, text)
        }
    }

    /// Every loaded rule (recording and alerting) with its health after its last evaluation:
    /// `ok`, `err` (then `lastError` says why) or `unknown` (not evaluated yet).
    func rules() throws -> [(name: String, health: String, lastError: String)] {
        let result = try CommandResult.run("/usr/bin/curl", ["-sS", "--max-time", "5", "\(baseURL)/api/v1/rules"])
        guard let object = try? JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any],
              let data = object["data"] as? [String: Any], let groups = data["groups"] as? [[String: Any]]
        else { throw TestFailure("/api/v1/rules answered \(result.output)") }
        return groups.flatMap { ($0["rules"] as? [[String: Any]]) ?? [] }.map {
            (($0["name"] as? String) ?? "", ($0["health"] as? String) ?? "", ($0["lastError"] as? String) ?? "")
        }
    }

    /// The scrape targets after relabelling (their labels, scrape URL and health), and how many
    /// discovered targets relabelling dropped.
    func targets() throws -> (active: [(labels: [String: String], scrapeURL: String, health: String)], dropped: Int) {
        let result = try CommandResult.run("/usr/bin/curl", ["-sS", "--max-time", "5", "\(baseURL)/api/v1/targets"])
        guard let object = try? JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any],
              let data = object["data"] as? [String: Any], let active = data["activeTargets"] as? [[String: Any]]
        else { throw TestFailure("/api/v1/targets answered \(result.output)") }
        return (
            active.map {
                (($0["labels"] as? [String: String]) ?? [:], ($0["scrapeUrl"] as? String) ?? "", ($0["health"] as? String) ?? "")
            },
            (data["droppedTargets"] as? [Any])?.count ?? 0
        )
    }

    /// A port nothing listens on now (bound to 0 and released: a small race other tests accept too).
    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else { throw TestFailure("no free port: errno \(errno)") }
        return UInt16(bigEndian: address.sin_port)
    }
}
