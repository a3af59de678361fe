import Foundation

/// Scrapes a running daemon with the real curl, and reads the exposition back as a user's tools
/// would see it.
struct MetricsClient {
    /// `http://127.0.0.1:PORT`
    let baseURL: String

    /// A client of `baseURL` (`http://HOST:PORT`).
    init(baseURL: String) {
        self.baseURL = baseURL
    }

    /// The base URL the daemon logged ("serving metrics on http://127.0.0.1:PORT/metrics").
    init?(daemonLog: String) {
        guard let range = daemonLog.range(of: #"serving metrics on (http://127\.0\.0\.1:[0-9]+)/metrics"#, options: .regularExpression)
        else { return nil }
        baseURL = String(daemonLog[range].dropFirst("serving metrics on ".count).dropLast("/metrics".count))
    }

    /// `curl -sS` with extra arguments; the body (or the headers, with -I / -D -).
    func curl(_ path: String, _ arguments: [String] = []) throws -> CommandResult {
        try CommandResult.run("/usr/bin/curl", ["-sS", "--max-time", "10"] + arguments + [baseURL + path])
    }

    /// The text-format exposition.
    func scrape(accept: String? = nil) throws -> String {
        try curl("/metrics", accept.map { ["-H", "Accept: \($0)"] } ?? []).output
    }

    /// Every sample of a text exposition: the series as written (`name{labels}`) to its value.
    static func samples(_ exposition: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in exposition.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            samples[String(line[..<space])] = Double(line[line.index(after: space)...])
        }
        return samples
    }

    /// The value of one series in a fresh scrape (nil while absent).
    func value(_ series: String) throws -> Double? {
        Self.samples(try scrape())[series]
    }
}
