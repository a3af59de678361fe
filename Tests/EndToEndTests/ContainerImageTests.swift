import FileOpenTestSupport
import Foundation
import Testing

/// The image to run (`localhost/fileopend:VERSION`), from the environment.
private let containerImage = ProcessInfo.processInfo.environment["FILEOPEND_IMAGE"]

/// The OCI image (scripts/build-image) run by podman as deploy/kubernetes/daemonset.yaml runs it
/// (its pod settings read from the manifest and translated): the host's PID namespace, a network
/// namespace of its own with the container port published, only the capabilities it adds, a
/// read-only root, the host's tracefs, the query socket's directory from the host, its arguments.
/// It counts a host process's opens exactly. Runs when FILEOPEND_IMAGE names the image (`make test`
/// builds it from the .deb after the other tests and runs this suite then).
@Suite(
    "the OCI image under podman",
    .serialized,
    .enabled(if: containerImage != nil, "FILEOPEND_IMAGE names no image (make test sets it)")
)
struct ContainerImageTests {
    /// The DaemonSet's pod settings that podman can apply, read with python3-yaml (the tests have no
    /// YAML reader of their own).
    struct PodSettings: Decodable {
        let hostPID: Bool
        let args: [String]
        let containerPort: Int
        let runAsUser: Int
        let readOnlyRootFilesystem: Bool
        let allowPrivilegeEscalation: Bool
        let capabilities: [String]
        let seccomp: String
        /// (host path, container path, read-only) of each hostPath volume.
        let mounts: [[String]]

        static func read() throws -> PodSettings {
            let manifest = PrometheusServer.repository.appendingPathComponent("deploy/kubernetes/daemonset.yaml").path
            let result = try CommandResult.run("/usr/bin/python3", ["-c", """
                import json, sys, yaml
                pod = yaml.safe_load(open(sys.argv[1]))["spec"]["template"]["spec"]
                container = pod["containers"][0]
                security = container["securityContext"]
                assert security["capabilities"]["drop"] == ["ALL"], security["capabilities"]
                hosts = {v["name"]: v["hostPath"]["path"] for v in pod["volumes"]}
                print(json.dumps({
                    "hostPID": pod.get("hostPID", False), "args": container["args"],
                    "containerPort": container["ports"][0]["containerPort"], "runAsUser": security["runAsUser"],
                    "readOnlyRootFilesystem": security["readOnlyRootFilesystem"],
                    "allowPrivilegeEscalation": security["allowPrivilegeEscalation"],
                    "capabilities": security["capabilities"]["add"], "seccomp": security["seccompProfile"]["type"],
                    "mounts": [[hosts[m["name"]], m["mountPath"], str(m.get("readOnly", False)).lower()]
                               for m in container["volumeMounts"]],
                }))
                """, manifest])
            guard result.status == 0 else { throw TestFailure("reading \(manifest): \(result.errorOutput)") }
            return try JSONDecoder().decode(PodSettings.self, from: Data(result.output.utf8))
        }
    }

    /// podman with runc and cgroupfs, which work on both cgroup hierarchies (crun refuses the
    /// hybrid v1 one of the development VM), and limits no higher than this process's: podman's
    /// defaults raise them, which needs CAP_SYS_RESOURCE, which a nested container may lack.
    /// `/run/fileopend` (a hostPath in the DaemonSet) is `runDirectory` here, so that the test
    /// touches nothing of an installed daemon's.
    static func podmanArguments(
        _ pod: PodSettings, name: String, seccomp: String? = nil, hostPort: UInt16, runDirectory: URL
    ) -> [String] {
        var files = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &files)
        let volumes = pod.mounts.flatMap { mount in
            let host = mount[1] == "/run/fileopend" ? runDirectory.path : mount[0]
            return ["--volume", "\(host):\(mount[1])" + (mount[2] == "true" ? ":ro" : "")]
        }
        var arguments = ["--runtime", "runc", "--cgroup-manager", "cgroupfs", "run", "--rm", "--name", name]
        if pod.hostPID { arguments += ["--pid", "host"] }
        arguments += ["--publish", "127.0.0.1:\(hostPort):\(pod.containerPort)", "--user", "\(pod.runAsUser):\(pod.runAsUser)"]
        if pod.readOnlyRootFilesystem { arguments.append("--read-only") }
        arguments += ["--cap-drop", "all", "--cap-add", pod.capabilities.map { "CAP_\($0)" }.joined(separator: ",")]
        if !pod.allowPrivilegeEscalation { arguments += ["--security-opt", "no-new-privileges"] }
        let profile = seccomp ?? (pod.seccomp == "Unconfined" ? "unconfined" : "/usr/share/containers/seccomp.json")
        arguments += ["--security-opt", "seccomp=\(profile)"]
        arguments += ["--ulimit", "nofile=\(files.rlim_cur):\(files.rlim_max)", "--ulimit", "nproc=1024:1024"]
        return arguments + volumes + [containerImage ?? ""] + pod.args
    }

    static func uniqueName() -> String { "fileopend-test-\(getpid())-\(UInt32.random(in: 0...0xFFFFF))" }

    @Test("as the DaemonSet runs it (CAP_BPF and CAP_PERFMON only, host PID namespace, own network) it counts a host process's opens exactly")
    func exactCountsFromTheHost() throws {
        TestEnvironment.ensureTracefs()
        let pod = try PodSettings.read()
        #expect(pod.capabilities == ["BPF", "PERFMON"] && pod.hostPID && pod.readOnlyRootFilesystem)
        let name = Self.uniqueName(), port = try PrometheusServer.freePort()
        let run = try TestEnvironment.makeScratchDirectory("image-run")
        defer { try? FileManager.default.removeItem(at: run) }
        let podman = try DaemonProcess("/usr/bin/podman", Self.podmanArguments(pod, name: name, hostPort: port, runDirectory: run))
        defer {
            if podman.status == nil { podman.stop() }
            _ = try? CommandResult.run("/usr/bin/podman", ["rm", "--force", "--ignore", name])
        }
        let metrics = MetricsClient(baseURL: "http://127.0.0.1:\(port)")
        let ready = try TestEnvironment.waitUntil(timeout: .seconds(60)) {
            try metrics.curl("/readyz").output == "ready\n" || podman.status != nil
        }
        #expect(ready && podman.status == nil, "the container did not become ready: \(podman.errorOutput)")

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
        // The image's client reaches the daemon's query socket (kubectl exec POD -- fileopenctl ...),
        // and so does the node's, through the host directory.
        let inside = try CommandResult.run("/usr/bin/podman", ["exec", name, "fileopenctl", "status"])
        #expect(inside.status == 0 && inside.output.contains("attach mode"), "\(inside.output)\(inside.errorOutput)")
        let node = try CommandResult.run(
            ChildProcess.binDirectory.appendingPathComponent("fileopenctl").path,
            ["--socket", run.appendingPathComponent("fileopend.sock").path, "proc", "\(failerPID)"]
        )
        #expect(node.status == 0 && node.output.contains(failer), "\(node.output)\(node.errorOutput)")

        // SIGTERM reaches the daemon through podman; it detaches and exits 0.
        podman.signal(SIGTERM)
        #expect(podman.waitForExit(timeout: 30) == 0, "\(podman.errorOutput)")
        #expect(podman.errorOutput.contains("opens received"), "the totals line: \(podman.errorOutput)")
    }

    @Test("under podman's default seccomp profile (bpf(2) only with CAP_SYS_ADMIN) it exits 69, naming the refused load")
    func defaultSeccompRefusesBPF() throws {
        let name = Self.uniqueName()
        let run = try TestEnvironment.makeScratchDirectory("image-run")
        defer { try? FileManager.default.removeItem(at: run) }
        let podman = try DaemonProcess("/usr/bin/podman", Self.podmanArguments(
            try PodSettings.read(), name: name, seccomp: "/usr/share/containers/seccomp.json",
            hostPort: try PrometheusServer.freePort(), runDirectory: run
        ))
        defer { _ = try? CommandResult.run("/usr/bin/podman", ["rm", "--force", "--ignore", name]) }
        #expect(podman.waitForExit(timeout: 60) == 69, "EX_UNAVAILABLE: \(podman.errorOutput)")
        #expect(podman.errorOutput.contains("fileopend: no attach mode worked"), "\(podman.errorOutput)")
        #expect(podman.errorOutput.contains("tracepoint refused at load: tracepoint load failed (bpf_object__load(fileopend) failed: Operation not permitted (errno 1))"),
                "\(podman.errorOutput)")
    }
}
