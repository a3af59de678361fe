import FileOpenSystem
import FileOpenTestSupport
import Foundation
import Synchronization
import Testing

@Suite("Dedicated threads")
struct DedicatedThreadTests {
    @Test("A dedicated thread runs its body off the caller's thread, and join waits for it")
    func runsAndJoins() {
        let ran = Atomic<Bool>(false)
        let thread = DedicatedThread(name: "fo-test") {
            ran.store(true, ordering: .releasing)
        }
        thread.join()
        thread.join()
        let didRun = ran.load(ordering: .acquiring)
        #expect(didRun)
    }

    @Test("A dedicated thread carries its name in the kernel, where top -H and /proc show it")
    func name() throws {
        let comm = Locked("")
        let thread = DedicatedThread(name: "fo-named") {
            let text = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
            comm.withLock { $0 = text }
        }
        thread.join()
        #expect(comm.value == "fo-named\n")
    }
}
