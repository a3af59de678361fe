import CLibbpf
import Synchronization

/// An attachment of a program to its hook (`struct bpf_link`). The program stays attached while
/// this value lives; `destroy()` or the last reference going detaches it (`bpf_link__destroy`).
public final class BPFLink: Sendable {
    /// The attached program's name.
    public let programName: String
    /// Keeps the programs' object alive as long as it is attached.
    private let object: BPFObject
    /// The `struct bpf_link *` as an address (0 once destroyed): a plain integer crosses threads
    /// freely, and only `destroy()` dereferences it, under the lock.
    private let link: Mutex<UInt>

    init(address: UInt, programName: String, object: BPFObject) {
        self.link = Mutex(address)
        self.programName = programName
        self.object = object
    }

    deinit {
        destroy()
    }

    /// Whether the link is still attached.
    public var isAttached: Bool { link.withLock { $0 != 0 } }

    /// Detaches the program and frees the link (`bpf_link__destroy`). Idempotent.
    public func destroy() {
        link.withLock { link in
            if let current = OpaquePointer(bitPattern: link) { bpf_link__destroy(current) }
            link = 0
        }
    }
}
