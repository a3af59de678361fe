import FileOpenSystem
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("OwnedDescriptor")
struct OwnedDescriptorTests {
    /// Whether `fd` is open in this process (`fcntl(F_GETFD)`).
    static func isOpen(_ fd: Int32) -> Bool {
        fcntl(fd, F_GETFD) >= 0
    }

    struct Refused: Error {}

    @Test("closed when its scope ends, also when an error leaves it")
    func closedAtScopeEnd() throws {
        let first = open("/dev/null", O_RDONLY | O_CLOEXEC)
        #expect(first >= 0)
        do {
            let owned = OwnedDescriptor(first)
            #expect(Self.isOpen(owned.rawValue))
        }
        #expect(!Self.isOpen(first))

        let second = open("/dev/null", O_RDONLY | O_CLOEXEC)
        #expect(throws: Refused.self) {
            let owned = OwnedDescriptor(second)
            #expect(Self.isOpen(owned.rawValue))
            throw Refused()
        }
        #expect(!Self.isOpen(second))
    }

    @Test("take() hands it on open; close() closes it at once")
    func takeAndClose() {
        let fd = open("/dev/null", O_RDONLY | O_CLOEXEC)
        let taken = OwnedDescriptor(fd).take()
        #expect(taken == fd && Self.isOpen(fd))
        let owned = OwnedDescriptor(taken)
        owned.close()
        #expect(!Self.isOpen(fd))
    }
}
