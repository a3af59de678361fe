import Foundation

/// What a running process (the daemon) holds at one moment, from /proc/PID: its private memory
/// (`RssAnon`: heap and stacks, not the binary's or libraries' pages, which the kernel may share
/// or drop), its open descriptors and its threads.
struct ProcessSample {
    let rssAnonBytes: Int
    let descriptors: Int
    let threads: Int

    /// Reads /proc/`pid`/status and /proc/`pid`/fd; nil once the process is gone.
    static func of(_ pid: Int32) -> ProcessSample? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count
        else { return nil }
        func field(_ name: String) -> Int? {
            status.split(separator: "\n").first { $0.hasPrefix(name + ":") }
                .flatMap { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first }
                .flatMap { Int($0) }
        }
        guard let rssAnon = field("RssAnon"), let threads = field("Threads") else { return nil }
        return ProcessSample(rssAnonBytes: rssAnon * 1024, descriptors: descriptors, threads: threads)
    }

    /// `RssAnon` in MiB, for messages.
    var rssAnonMiB: String { String(format: "%.1f MiB", Double(rssAnonBytes) / 1_048_576) }
}
