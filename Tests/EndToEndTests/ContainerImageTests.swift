import FileOpenTestSupport
import Foundation
import Testing

/// The image to run (`localhost/fileopend:VERSION`), from the environment.
private let containerImage = ProcessInfo.processInfo.environment["FILEOPEND_IMAGE"]

/// The OCI image (scripts/build-image) run by podman as the DaemonSet runs it: the host's PID
/// namespace, only CAP_BPF and CAP_PERFMON, a read-only root, the host's tracefs; it counts a host
/// process's opens exactly. Runs when FILEOPEND_IMAGE names the image (`make test` builds it from the
/// .deb after the other tests and runs this suite then).
@Suite(
    "the OCI image under podman",
    .serialized,
    .enabled(if: containerImage != nil, "FILEOPEND_IMAGE names no image (make test sets it)")
)
struct ContainerImageTests {

    /// podman with runc and cgroupfs, which work on both cgroup hierarchies (crun refuses the
    /// hybrid v1 one of the development VM), and limits no higher than this process's: podman's
    /// defaults raise them, which needs CAP_SYS_RESOURCE, which a nested container may lack.
    static func podmanArguments(name: String, seccomp: String, daemonArguments: [String]) -> [String] {
        var files = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &files)
        return [
            "--runtime", "runc", "--cgroup-manager", "cgroupfs", "run", "--rm", "--name", name,
            "--pid", "host", "--network", "host", "--read-only",
            "--cap-drop", "all", "--cap-add", "CAP_BPF,CAP_PERFMON", "--security-opt", "no-new-privileges",
            "--security-opt", "seccomp=\(seccomp)",
            "--ulimit", "nofile=\(files.rlim_cur):\(files.rlim_max)", "--ulimit", "nproc=1024:1024",
            "--volume", "/sys/kernel/tracing:/sys/kernel/tracing:ro",
            containerImage ?? "",
        ] + daemonArguments
    }

    static func uniqueName() -> String { "fileopend-test-\(getpid())-\(UInt32.random(in: 0...0xFFFFF))" }

    @Test("with CAP_BPF and CAP_PERFMON only, in the host's PID namespace, it counts a host process's opens exactly")
    func exactCountsFromTheHost() throws {
        TestEnvironment.ensureTracefs()
        let name = Self.uniqueName()
        let podman = try DaemonProcess("/usr/bin/podman", Self.podmanArguments(
            name: name, seccomp: "unconfined", daemonArguments: ["--listen", "127.0.0.1:0"]
        ))
        defer {
            if podman.status == nil { podman.stop() }
            _ = try? CommandResult.run("/usr/bin/podman", ["rm", "--force", "--ignore", name])
        }
        var client: MetricsClient?
        _ = TestEnvironment.waitUntil(timeout: .seconds(60)) {
            client = MetricsClient(daemonLog: podman.errorOutput)
            return client != nil || podman.status != nil
        }
        let metrics = try #require(client, "the container did not serve: \(podman.errorOutput)")

        // The daemon is a host process (host PID namespace) whose effective set is those two alone.
        let pid = try CommandResult.run("/usr/bin/podman", ["inspect", "--format", "{{.State.Pid}}", name])
            .output.trimmingCharacters(in: .whitespacesAndNewlines)
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let effective = status.split(separator: "\n").first { $0.hasPrefix("CapEff:") }?.split(separator: "\t").last
        #expect(effective.flatMap { UInt64($0, radix: 16) } == (1 << 38) | (1 << 39), "CAP_PERFMON (38) and CAP_BPF (39): \(status)")
        #expect(try String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8) == "fileopend\n")

        let reader = MetricsEndpointTests.uniqueComm("img"), failer = MetricsEndpointTests.uniqueComm("imgf")
        let readerPID = MetricsEndpointTests.runOpener(comm: reader, path: "/etc/hostname", count: 17)
        let failerPID = MetricsEndpointTests.runOpener(comm: failer, path: "/nonexistent/fo-image", count: 31)
        let expected: [String: Double] = [
            #"fileopen_process_opens_total{pid="\#(readerPID)",comm="\#(reader)"}"#: 17,
            #"fileopen_opens_by_access_total{comm="\#(reader)",access="read"}"#: 17,
            #"fileopen_process_opens_total{pid="\#(failerPID)",comm="\#(failer)"}"#: 31,
            #"fileopen_open_errors_total{comm="\#(failer)",errno="ENOENT"}"#: 31,
        ]
        var samples: [String: Double] = [:]
        #expect(try TestEnvironment.waitUntil {
            samples = MetricsClient.samples(try metrics.scrape())
            return expected.keys.allSatisfy { samples[$0] != nil }
        }, "series missing: \(expected.keys.filter { samples[$0] == nil })")
        for (series, value) in expected {
            #expect(samples[series] == value, "\(series)")
        }
        #expect(samples[#"fileopen_attach_mode_info{mode="\#(AutoAttachMode.expected)"}"#] == 1)
        #expect(try metrics.curl("/readyz").output == "ready\n")
        // The image's client reaches the daemon's query socket (kubectl exec POD -- fileopenctl ...).
        let ctl = try CommandResult.run("/usr/bin/podman", ["exec", name, "fileopenctl", "status"])
        #expect(ctl.status == 0 && ctl.output.contains("attach mode"), "\(ctl.output)\(ctl.errorOutput)")

        // SIGTERM reaches the daemon through podman; it detaches and exits 0.
        podman.signal(SIGTERM)
        #expect(podman.waitForExit(timeout: 30) == 0, "\(podman.errorOutput)")
        #expect(podman.errorOutput.contains("opens received"), "the totals line: \(podman.errorOutput)")
    }

    @Test("under podman's default seccomp profile (bpf(2) only with CAP_SYS_ADMIN) it exits 69, naming the refused load")
    func defaultSeccompRefusesBPF() throws {
        let name = Self.uniqueName()
        let podman = try DaemonProcess("/usr/bin/podman", Self.podmanArguments(
            name: name, seccomp: "/usr/share/containers/seccomp.json", daemonArguments: ["--listen", "127.0.0.1:0"]
        ))
        defer { _ = try? CommandResult.run("/usr/bin/podman", ["rm", "--force", "--ignore", name]) }
        #expect(podman.waitForExit(timeout: 60) == 69, "EX_UNAVAILABLE: \(podman.errorOutput)")
        #expect(podman.errorOutput.contains("fileopend: no attach mode worked"), "\(podman.errorOutput)")
        #expect(podman.errorOutput.contains("tracepoint refused at load: tracepoint load failed (bpf_object__load(fileopend) failed: Operation not permitted (errno 1))"),
                "\(podman.errorOutput)")
    }
}
