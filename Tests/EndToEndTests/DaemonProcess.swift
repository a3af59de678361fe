import FileOpenTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The daemon (or another program) run by an end-to-end test.
typealias DaemonProcess = ChildProcess

extension ChildProcess {
    /// Arguments that keep a test daemon apart from any other: a free metrics port and a query
    /// socket of its own (the defaults are shared by every daemon on the host).
    static func isolatedArguments() -> [String] {
        ["--listen", "127.0.0.1:0", "--socket", "/tmp/fileopend-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"]
    }
}
