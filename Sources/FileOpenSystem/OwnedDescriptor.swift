#if canImport(Glibc)
import Glibc
#endif

/// A file descriptor with exactly one owner: `close(2)`d when the value ends, unless ownership
/// was handed on with `take()`. Being `~Copyable`, it cannot be closed twice by two copies, and an
/// error path needs no `close` of its own: a descriptor still owned when a `throw` leaves its
/// scope is closed there.
public struct OwnedDescriptor: ~Copyable, Sendable {
    /// The descriptor, for system calls while this value owns it. Never close it yourself.
    public let rawValue: Int32

    /// Takes ownership of `rawValue` (a descriptor `socket(2)`, `open(2)` … returned).
    public init(_ rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// Hands ownership on: the descriptor is returned open and the caller must close it.
    public consuming func take() -> Int32 {
        let fd = rawValue
        discard self
        return fd
    }

    /// `close(2)`s the descriptor now, its error ignored: Linux frees the descriptor even when
    /// close reports one, so there is nothing to retry.
    public consuming func close() {
        _ = Glibc.close(take())
    }

    deinit {
        _ = Glibc.close(rawValue)
    }
}
