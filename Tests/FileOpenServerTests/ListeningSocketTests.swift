import FileOpenServer
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Listen addresses and listening sockets")
struct ListeningSocketTests {
    @Test(
        "Valid listen addresses parse and print canonically",
        arguments: [
            ("127.0.0.1:9469", "127.0.0.1:9469", false),
            ("0.0.0.0:9469", "0.0.0.0:9469", false),
            ("[::1]:9469", "[::1]:9469", true),
            ("[::]:9469", "[::]:9469", true),
            ("[0:0:0:0:0:0:0:1]:80", "[::1]:80", true),
            ("[::FFFF:10.0.0.1]:1", "[::ffff:10.0.0.1]:1", true),
            ("10.1.2.3:0", "10.1.2.3:0", false),
            ("127.0.0.1:65535", "127.0.0.1:65535", false),
        ])
    func validAddresses(text: String, canonical: String, isIPv6: Bool) throws {
        let address = try ListenAddress(parsing: text)
        #expect(address.description == canonical)
        #expect((address.family == .ipv6) == isIPv6)
        #expect(try ListenAddress(parsing: address.description) == address)
    }

    @Test(
        "Anything else is refused with a clear error",
        arguments: [
            "", "9469", ":9469", "localhost:9469", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1",
            "127.0.0.1:+80", "127.0.0.1:80x", "127.0.0.1:123456", "256.0.0.1:80", "127.0.0.01:80", "1.2.3:80",
            "::1:9469", "[::1]", "[::1]9469", "[::1:9469", "[127.0.0.1]:80", "[fe80::1%eth0]:80", " 127.0.0.1:80",
            "http://127.0.0.1:80", "[::1]:80/",
        ])
    func invalidAddresses(text: String) {
        do {
            let address = try ListenAddress(parsing: text)
            Issue.record("'\(text)' parsed as \(address)")
        } catch {
            #expect(
                error.description.hasPrefix("listen address '\(text)' is not HOST:PORT with an IPv4 or [IPv6] literal"))
            guard case .invalidListenAddress = error else {
                Issue.record("\(error)")
                return
            }
        }
    }

    @Test("Binding port 0 gives a real port; close() closes")
    func bindAnyPort() throws {
        let socket = try ListeningSocket.bind(ListenAddress(parsing: "127.0.0.1:0"))
        #expect(socket.boundAddress.port != 0)
        #expect(socket.boundAddress.host == "127.0.0.1")
        let fd = try #require(socket.fileDescriptor)
        #expect(fcntl(fd, F_GETFD) & FD_CLOEXEC != 0)
        #expect(fcntl(fd, F_GETFL) & O_NONBLOCK != 0)
        socket.close()
        #expect(socket.fileDescriptor == nil)
        #expect(throws: (any Error).self) { _ = try TestClient(socket.boundAddress) }
        socket.close()  // Idempotent.
    }

    @Test("IPv6 listeners are IPv6-only")
    func ipv6Only() throws {
        let socket = try ListeningSocket.bind(ListenAddress(parsing: "[::]:0"))
        let fd = try #require(socket.fileDescriptor)
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        #expect(getsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &value, &length) == 0)
        #expect(value == 1)
        #expect(socket.boundAddress.family == .ipv6)
    }

    @Test("Binding a port in use names the address and EADDRINUSE")
    func addressInUse() throws {
        let first = try ListeningSocket.bind(ListenAddress(parsing: "127.0.0.1:0"))
        let taken = first.boundAddress
        do {
            let second = try ListeningSocket.bind(taken)
            Issue.record("bound twice: \(second.boundAddress)")
        } catch {
            #expect(error.errno == EADDRINUSE)
            #expect(error.description == "bind(\(taken)) failed: Address already in use (errno 98)")
        }
    }

    static func rawSocket(_ type: Int32, listening: Bool) -> Int32 {
        let fd = socket(AF_INET, type, 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if listening { listen(fd, 8) }
        return fd
    }

    @Test("Adopting an inherited listening socket (systemd socket activation) works")
    func adoptListening() throws {
        let fd = Self.rawSocket(Int32(SOCK_STREAM.rawValue), listening: true)
        let socket = try ListeningSocket(adopting: fd)
        #expect(socket.fileDescriptor == fd)
        #expect(socket.boundAddress.host == "127.0.0.1" && socket.boundAddress.port != 0)
        #expect(fcntl(fd, F_GETFL) & O_NONBLOCK != 0)
        #expect(fcntl(fd, F_GETFD) & FD_CLOEXEC != 0)
        _ = try TestClient(socket.boundAddress)  // The kernel queues the connection: it is listening.
    }

    @Test(
        "Adopting a socket that is not listening, a UDP socket or a file is refused",
        arguments: ["unlistened TCP", "UDP", "file"])
    func adoptRefused(kind: String) throws {
        let fd: Int32 =
            switch kind {
            case "unlistened TCP": Self.rawSocket(Int32(SOCK_STREAM.rawValue), listening: false)
            case "UDP": Self.rawSocket(Int32(SOCK_DGRAM.rawValue), listening: false)
            default: open("/dev/null", O_RDONLY)
            }
        defer { close(fd) }
        #expect(fd >= 0)
        do {
            _ = try ListeningSocket(adopting: fd)
            Issue.record("\(kind) adopted")
        } catch {
            guard case .notAListeningSocket(let descriptor, _) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(descriptor == fd)
            #expect(error.description.hasPrefix("file descriptor \(fd) is not a listening TCP socket"))
        }
        #expect(fcntl(fd, F_GETFD) != -1, "the refused descriptor must stay open: it is still the caller's")
    }
}
