import FileOpenTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What `--mode auto` must choose on the machine at hand: the first of fentry, kprobe and
/// tracepoint (auto's order) with which the real daemon, started in that mode explicitly, attaches
/// and serves. Found once per test run, so the tests that check the mode hold on any kernel: the
/// development VM (tracepoint only), a host with kprobes, a stock distribution kernel (fentry).
enum AutoAttachMode {
    /// The mode, or a description of why none worked (which no test expects, so they fail saying it).
    static let expected: String = {
        TestEnvironment.ensureTracefs()
        var refusals: [String] = []
        for mode in ["fentry", "kprobe", "tracepoint"] {
            guard let daemon = try? DaemonProcess("fileopend", ["--mode", mode] + DaemonProcess.isolatedArguments()) else {
                return "none: the daemon could not be started"
            }
            let settled = TestEnvironment.waitUntil(timeout: .seconds(20)) {
                daemon.status != nil || daemon.errorOutput.contains("serving metrics on")
            }
            let attached = daemon.status == nil && daemon.errorOutput.contains("attached in \(mode) mode")
            daemon.stop()
            if attached { return mode }
            let reason = settled ? daemon.errorOutput.split(separator: "\n").last.map(String.init) ?? "" : "did not settle in 20 s"
            refusals.append("\(mode): \(reason)")
        }
        return "none (\(refusals.joined(separator: "; ")))"
    }()
}
