import FileOpenCore
import FileOpenServer
import FileOpenTestSupport
import Foundation
import Logging
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Query server: the socket file")
struct QuerySocketFileTests {
    private static func status(_ path: String) -> stat? {
        var result = stat()
        return lstat(path, &result) == 0 ? result : nil
    }

    private static func makeServer(
        _ path: String, group: String? = nil
    ) throws(ServerError) -> (QueryServer, RecordingLogHandler.Store) {
        let (logger, logs) = RecordingLogHandler.logger(label: "query-socket-test")
        let server = try QueryServer(
            socketPath: path, group: group, limits: QueryFixture.testLimits, logger: logger,
            responder: CannedResponder(tailHub: TailHub()))
        return (server, logs)
    }

    /// A socket file whose listener is gone, as a killed daemon leaves it.
    private static func makeStaleSocket(at path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path.utf8) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        close(fd)
        guard bound == 0 else { throw ClientError("bind(\(path)): errno \(errno)") }
    }

    @Test("Missing parent directories are made 0755; the socket is mode 0660; stop() removes it")
    func createsDirectoryAndMode() throws {
        let scratch = try TestEnvironment.makeScratchDirectory("query-dir")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let path = scratch.path + "/run/fileopend/fileopend.sock"
        let (server, _) = try Self.makeServer(path)
        try server.start()
        for directory in [scratch.path + "/run", scratch.path + "/run/fileopend"] {
            let mode = try #require(Self.status(directory)).st_mode
            #expect(mode & S_IFMT == S_IFDIR && mode & 0o7777 == 0o755, "\(directory): \(String(mode, radix: 8))")
        }
        let socketMode = try #require(Self.status(path)).st_mode
        #expect(socketMode & S_IFMT == S_IFSOCK)
        #expect(socketMode & 0o7777 == 0o660)
        #expect(server.socketPath == path)
        #expect(try QueryTestClient(path: path).request(#"{"version":1,"command":"status"}"#).contains(#""ok":true"#))
        server.stop()
        #expect(Self.status(path) == nil)
    }

    @Test("A stale socket file from a killed daemon is replaced")
    func staleSocketReplaced() throws {
        let scratch = try TestEnvironment.makeScratchDirectory("query-stale")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let path = scratch.path + "/fileopend.sock"
        try Self.makeStaleSocket(at: path)
        #expect(Self.status(path).map { $0.st_mode & S_IFMT == S_IFSOCK } == true)
        do {
            _ = try QueryTestClient(path: path)
            Issue.record("the stale socket accepted a connection")
        } catch {
            #expect("\(error)".contains("errno \(ECONNREFUSED)"))
        }
        let (server, _) = try Self.makeServer(path)
        try server.start()
        defer { server.stop() }
        #expect(try QueryTestClient(path: path).request(#"{"version":1,"command":"status"}"#).contains(#""ok":true"#))
    }

    @Test("A live daemon on the socket makes a second one fail clearly; the first keeps serving")
    func liveSocketRefused() throws {
        let fixture = try QueryFixture()
        do {
            _ = try Self.makeServer(fixture.path)
            Issue.record("a second server bound \(fixture.path)")
        } catch {
            #expect(error == .socketInUse(path: fixture.path))
            #expect(error.description == "another fileopend is already serving \(fixture.path)")
        }
        try fixture.expectServesOthers()
    }

    @Test("A file that is not a socket is never deleted", arguments: ["regular", "directory", "symlink"])
    func nonSocketUntouched(kind: String) throws {
        let scratch = try TestEnvironment.makeScratchDirectory("query-file")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let path = scratch.path + "/fileopend.sock"
        let contents = Data("precious\n".utf8)
        switch kind {
        case "regular": try contents.write(to: URL(fileURLWithPath: path))
        case "directory": try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        default:
            // A symlink is not ours to remove, whatever it points to.
            try contents.write(to: URL(fileURLWithPath: scratch.path + "/target"))
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: scratch.path + "/target")
        }
        let before = try #require(Self.status(path))
        do {
            _ = try Self.makeServer(path)
            Issue.record("bound over a \(kind)")
        } catch {
            #expect(error == .notASocket(path: path))
            #expect(error.description.hasPrefix("\(path) exists and is not a socket; not removing it"))
        }
        let after = try #require(Self.status(path))
        #expect(after.st_ino == before.st_ino && after.st_mode == before.st_mode)
        if kind == "regular" { #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == contents) }
    }

    @Test("stop() leaves a socket file that is no longer the one it created")
    func stopLeavesReplacedFile() throws {
        let fixture = try QueryFixture()
        unlink(fixture.path)
        try Data("someone else's\n".utf8).write(to: URL(fileURLWithPath: fixture.path))
        fixture.server.stop()
        #expect(try Data(contentsOf: URL(fileURLWithPath: fixture.path)) == Data("someone else's\n".utf8))
    }

    @Test("Unusable socket paths are refused before anything is created")
    func invalidPaths() throws {
        let long = "/tmp/" + String(repeating: "s", count: 120)
        for path in ["", long] {
            do {
                _ = try Self.makeServer(path)
                Issue.record("bound '\(path)'")
            } catch {
                guard case .invalidSocketPath(let rejected, _) = error else {
                    Issue.record("\(error)")
                    continue
                }
                #expect(rejected == path)
            }
        }
    }

    @Test(
        "The socket gets the configured group; a missing group keeps ours with one notice",
        .enabled(
            if: TestEnvironment.canRunKernelTests,
            "needs root to chown the socket and create a group; always runs under CI=true"))
    func group() throws {
        let group = try QueryPermissionTests.testGroup()
        let fixture = try QueryFixture(group: group.name)
        #expect(try #require(Self.status(fixture.path)).st_gid == group.id)
        #expect(fixture.server.socketGroupID == group.id)

        let scratch = try TestEnvironment.makeScratchDirectory("query-nogroup")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let path = scratch.path + "/fileopend.sock"
        let (server, logs) = try Self.makeServer(path, group: "fo-no-such-group")
        defer { server.stop() }
        #expect(try #require(Self.status(path)).st_gid == getegid())
        let notices = logs.messages.filter { $0.message.contains("group 'fo-no-such-group' does not exist") }
        #expect(notices.count == 1 && notices.first?.level == .notice)
    }

    @Test("An inherited listening socket is served and left in place; other descriptors are refused")
    func adopting() throws {
        let scratch = try TestEnvironment.makeScratchDirectory("query-adopt")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let path = scratch.path + "/activated.sock"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path.utf8) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        #expect(bound == 0 && listen(fd, 8) == 0)
        let (logger, _) = RecordingLogHandler.logger(label: "adopt")
        let server = try QueryServer(adopting: fd, logger: logger, responder: CannedResponder(tailHub: TailHub()))
        try server.start()
        #expect(server.socketPath == path)
        #expect(try QueryTestClient(path: path).request(#"{"version":1,"command":"status"}"#).contains(#""ok":true"#))
        server.stop()
        #expect(Self.status(path) != nil, "systemd's socket file was removed")

        let tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(tcp) }
        #expect(listen(tcp, 1) == 0)
        do {
            _ = try QueryServer(adopting: tcp, logger: logger, responder: CannedResponder(tailHub: TailHub()))
            Issue.record("adopted a TCP socket")
        } catch {
            guard case .notAUnixListeningSocket(let descriptor, _) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(descriptor == tcp)
        }
        #expect(fcntl(tcp, F_GETFD) >= 0, "the refused descriptor must stay open")
    }
}
