import FileOpenCore
import FileOpenServer
import FileOpenTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Query server: peer credentials and access")
struct QueryPermissionTests {
    @Test("Access: root is admin; primary or supplementary group member reads; anyone else nothing")
    func accessDecision() {
        let group: UInt32 = 990
        func access(uid: UInt32, gid: UInt32, groups: [UInt32], socketGroup: UInt32?) -> QueryAccess {
            QueryAccess(peer: PeerCredentials(pid: 1, uid: uid, gid: gid, groups: groups), socketGroup: socketGroup)
        }
        #expect(access(uid: 0, gid: 0, groups: [], socketGroup: group) == .admin)
        #expect(access(uid: 0, gid: 5, groups: [], socketGroup: nil) == .admin)
        #expect(access(uid: 1000, gid: 990, groups: [], socketGroup: group) == .read)
        #expect(access(uid: 1000, gid: 100, groups: [4, 990], socketGroup: group) == .read)
        #expect(access(uid: 1000, gid: 100, groups: [4, 27], socketGroup: group) == .none)
        #expect(access(uid: 990, gid: 100, groups: [], socketGroup: group) == .none)
        #expect(access(uid: 1000, gid: 990, groups: [], socketGroup: nil) == .none)
        let reader = QueryAccess.read
        #expect(reader.denial(of: .status, uid: 1000, groupName: "fileopend") == nil)
        #expect(reader.denial(of: .tail(TailFilter()), uid: 1000, groupName: "fileopend") == nil)
        #expect(reader.denial(of: .reset, uid: 1000, groupName: "fileopend")?.code == .permissionDenied)
        let outsider = QueryAccess.none.denial(of: .status, uid: 1000, groupName: "fileopend")
        #expect(outsider?.code == .permissionDenied && outsider?.message.contains("fileopend") == true)
        #expect(QueryAccess.admin.denial(of: .reset, uid: 0, groupName: "fileopend") == nil)
    }

    @Test("Peer credentials of a socket pair are this process's")
    func peerCredentials() throws {
        var pair: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
        defer {
            close(pair[0])
            close(pair[1])
        }
        let peer = try PeerCredentials(socket: pair[0])
        #expect(peer.pid == getpid() && peer.uid == geteuid() && peer.gid == getegid())
        var groups = [gid_t](repeating: 0, count: Int(getgroups(0, nil)))
        _ = getgroups(Int32(groups.count), &groups)
        #expect(Set(peer.groups) == Set(groups))
        #expect(throws: ServerError.self) { try PeerCredentials(socket: -1) }
    }

    /// `groupadd -f fo-test-group` (idempotent), then its gid.
    static func testGroup() throws -> (name: String, id: UInt32) {
        let name = "fo-test-group"
        if getgrnam(name) == nil {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/groupadd")
            process.arguments = ["-f", name]
            try process.run()
            process.waitUntilExit()
        }
        let entry = try #require(getgrnam(name), "groupadd -f \(name) did not create the group")
        return (name, entry.pointee.gr_gid)
    }

    /// Runs a tiny Python client under `setpriv` with other credentials: it connects to `path`,
    /// sends each request line and prints each reply line, or prints `connect-error ERRNO`.
    private func runAsOtherUser(_ setprivArguments: [String], path: String, lines: [String]) throws -> [String] {
        let script = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX)
            try:
                s.connect(sys.argv[1])
            except OSError as e:
                print("connect-error", e.errno)
                sys.exit(0)
            f = s.makefile("rwb")
            for line in sys.argv[2:]:
                f.write(line.encode() + b"\\n")
                f.flush()
                sys.stdout.write(f.readline().decode())
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = setprivArguments + ["/usr/bin/python3", "-c", script, path] + lines
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test(
        "Outsiders are refused per request (and by the 0660 mode), group members read, only root resets",
        .enabled(
            if: TestEnvironment.canRunKernelTests,
            "needs root to switch users with setpriv; always runs under CI=true"))
    func permissions() throws {
        let group = try Self.testGroup()
        let fixture = try QueryFixture(group: group.name)
        // The other user must be able to reach the socket's directory.
        #expect(chmod(fixture.directory.path, 0o755) == 0)
        let status = #"{"version":1,"command":"status"}"#
        let reset = #"{"version":1,"command":"reset"}"#
        let nobody = ["--reuid=65534", "--regid=65534"]

        // Not in the group: the file mode already keeps it out.
        let refused = try runAsOtherUser(nobody + ["--clear-groups"], path: fixture.path, lines: [status])
        #expect(refused == ["connect-error \(EACCES)"])

        // With the mode opened up, the peer credentials still refuse every command, as JSON, on one connection.
        #expect(chmod(fixture.path, 0o666) == 0)
        let outsider = try runAsOtherUser(
            nobody + ["--clear-groups"], path: fixture.path, lines: [status, reset, "garbage"])
        #expect(outsider.count == 3)
        #expect(outsider.allSatisfy { QueryTestClient.errorCode($0) == "permission_denied" }, "\(outsider)")
        #expect(outsider.first?.contains("uid 65534") == true)
        #expect(chmod(fixture.path, 0o660) == 0)

        // A supplementary member reads, but may not reset.
        let member = try runAsOtherUser(
            nobody + ["--groups=\(group.id)"], path: fixture.path, lines: [status, reset, status])
        #expect(member.count == 3)
        #expect(member.first.map { $0 + "\n" } == fixture.responder.expectedReply(.status))
        #expect(member.dropFirst().first.flatMap(QueryTestClient.errorCode) == "permission_denied")
        #expect(member.last.map { $0 + "\n" } == fixture.responder.expectedReply(.status))

        // The group as primary gid is enough too.
        let primary = try runAsOtherUser(
            ["--reuid=65534", "--regid=\(group.id)", "--clear-groups"], path: fixture.path, lines: [status])
        #expect(primary.first.map { $0 + "\n" } == fixture.responder.expectedReply(.status))

        // Root resets.
        let root = try fixture.client()
        #expect(try root.request(reset) == fixture.responder.expectedReply(.reset))
        #expect(fixture.eventually { $0.errorsByCode[.permissionDenied] == 4 && $0.requestsByCommand[.reset] == 2 })
    }
}
