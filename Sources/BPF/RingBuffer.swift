import CLibbpf
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A consumer of a `BPF_MAP_TYPE_RINGBUF` map (libbpf's `struct ring_buffer`) that decodes each
/// record into `Record` and hands it to a handler.
///
/// `poll(timeout:handler:)` waits for the kernel's wakeup and then drains; `consume(handler:)`
/// drains without waiting (use it on a timer when producers submit with `BPF_RB_NO_WAKEUP`).
/// An error thrown by the decoder or the handler stops the drain after that record (which counts
/// as consumed) and is rethrown to the caller; the remaining records stay for the next call.
/// Calls are serialized: one thread drains at a time. Do not call the ring from its handler.
public final class RingBuffer<Record: BPFRecordDecodable>: Sendable {
    /// The ring buffer map.
    public let map: BPFMap
    /// The ring's data size in bytes.
    public let capacity: Int

    private let ring: Mutex<OpaquePointer?>
    private let context: RingCallbackContext
    private let positions: RingPositions

    /// Opens the consumer side of a loaded ring buffer map (`ring_buffer__new`).
    public init(map: BPFMap) throws(BPFError) {
        guard map.type == .ringBuffer else {
            throw BPFError.wrongMapType(name: map.name, expected: .ringBuffer, actual: map.type)
        }
        let fd = try map.fileDescriptor
        let capacity = try map.maxEntries
        let positions = try RingPositions(fd: fd, capacity: capacity, name: map.name)
        let context = RingCallbackContext()
        guard let ring = ring_buffer__new(fd, deliverRecord, context.state, nil) else {
            throw BPFError.failed("ring_buffer__new(\(map.name))")
        }
        self.map = map
        self.capacity = capacity
        self.positions = positions
        self.context = context
        self.ring = Mutex(ring)
    }

    deinit {
        close()
    }

    /// Frees the consumer (`ring_buffer__free`); later calls throw `closed`. Idempotent.
    public func close() {
        ring.withLock { ring in
            if let current = ring { ring_buffer__free(current) }
            ring = nil
        }
    }

    /// Waits up to `timeout` for a wakeup, then drains what is ready (`ring_buffer__poll`).
    /// Returns the number of records handled. An interrupted wait returns 0.
    @discardableResult
    public func poll(timeout: Duration, handler: (Record) throws -> Void) throws -> Int {
        try pollBytes(timeout: timeout, handler: { try handler(Record(bpfRecord: $0)) })
    }

    /// Drains every record available now, without waiting (`ring_buffer__consume`).
    /// Returns the number of records handled.
    @discardableResult
    public func consume(handler: (Record) throws -> Void) throws -> Int {
        try consumeBytes(handler: { try handler(Record(bpfRecord: $0)) })
    }

    /// Waits up to `timeout` for the kernel to wake the ring (records ready, or a forced wakeup)
    /// without draining it: `poll(2)` on `ring_buffer__epoll_fd`, readable while the ring has
    /// something to consume. Returns whether it woke before the timeout; an interrupted wait
    /// returns false.
    @discardableResult
    public func wait(timeout: Duration) throws(BPFError) -> Bool {
        var descriptor = pollfd(fd: try epollFileDescriptor, events: Int16(POLLIN), revents: 0)
        let result = Glibc.poll(&descriptor, 1, Self.milliseconds(timeout))
        if result < 0 {
            if errno == EINTR { return false }
            throw BPFError.callFailed(operation: "poll(ring buffer \(map.name) epoll fd)", errno: errno)
        }
        return result > 0
    }

    private static func milliseconds(_ timeout: Duration) -> Int32 {
        Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
    }

    /// `poll(timeout:handler:)` handing over each record's bytes undecoded, for a caller that
    /// decodes with state of its own (valid only during the call).
    @discardableResult
    public func pollBytes(timeout: Duration, handler: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        let milliseconds = Self.milliseconds(timeout)
        return try drain("ring_buffer__poll", handler) { ring_buffer__poll($0, milliseconds) }
    }

    /// `consume(handler:)` handing over each record's bytes undecoded (valid only during the
    /// call), and stopping after `limit` records: libbpf 1.1 has no `ring_buffer__consume_n`, and
    /// without a limit a drain lasts as long as producers keep up with it.
    @discardableResult
    public func consumeBytes(limit: Int = .max, handler: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        try drain("ring_buffer__consume", handler, limit: limit) { ring_buffer__consume($0) }
    }

    /// Bytes written by the kernel and not yet consumed (producer minus consumer position, read
    /// from the ring's shared pages; libbpf 1.1 has no accessor for it).
    public var pendingBytes: Int { positions.pending }

    /// The ring's epoll descriptor (`ring_buffer__epoll_fd`), to wait on it elsewhere.
    public var epollFileDescriptor: Int32 {
        get throws(BPFError) {
            try ring.withLock { (ring: inout OpaquePointer?) throws(BPFError) -> Int32 in
                guard let current = ring else { throw BPFError.closed(operation: "ring_buffer__epoll_fd") }
                return ring_buffer__epoll_fd(current)
            }
        }
    }

    private func drain(
        _ operation: String, _ handler: (UnsafeRawBufferPointer) throws -> Void, limit: Int = .max,
        _ call: (OpaquePointer) -> Int32
    ) throws -> Int {
        try ring.withLock { (ring: inout OpaquePointer?) throws -> Int in
            guard let current = ring else { throw BPFError.closed(operation: operation) }
            return try withoutActuallyEscaping(handler) { handler in
                // The callback reaches the handler through a pointer to it: loading a closure
                // stored in the context would retain and release it for every record.
                try withUnsafePointer(to: handler) { handler in
                    let state = context.state
                    state.pointee.handle = handler
                    state.pointee.remaining = max(1, limit)
                    defer {
                        state.pointee.handle = nil
                        state.pointee.failure = nil
                    }
                    let result = call(current)
                    if let failure = state.pointee.failure { throw failure }
                    if state.pointee.remaining == 0 { return max(1, limit) }  // stopped at the limit (returned -1)
                    if result == -EINTR { return 0 }
                    guard result >= 0 else { throw BPFError.failed(operation, returned: result) }
                    return Int(result)
                }
            }
        }
    }
}

/// What the C callback reaches through its `ctx` pointer: a plain struct in memory of its own,
/// so the per-record callback pays neither reference counting nor the dynamic exclusivity
/// checks of a class's properties.
///
/// Invariant that makes `@unchecked Sendable` sound: the state is only read or written while the
/// owning `RingBuffer`'s mutex is held (inside `drain`), by that one thread.
private final class RingCallbackContext: @unchecked Sendable {
    struct State {
        /// The draining call's handler, on its stack: set only for the duration of the drain.
        var handle: UnsafePointer<(UnsafeRawBufferPointer) throws -> Void>?
        var failure: (any Error)?
        /// Records the drain may still hand over; at 0 the callback stops libbpf's loop.
        var remaining = Int.max
    }

    let state = UnsafeMutablePointer<State>.allocate(capacity: 1)

    init() { state.initialize(to: State()) }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }
}

/// libbpf's sample callback: decode and handle one record; a failure or the drain's limit stops
/// the drain (-1).
private let deliverRecord: ring_buffer_sample_fn = { context, data, size in
    guard let context, let data else { return 0 }
    let state = context.assumingMemoryBound(to: RingCallbackContext.State.self)
    guard let handle = state.pointee.handle else { return 0 }
    do {
        try handle.pointee(UnsafeRawBufferPointer(start: data, count: size))
        state.pointee.remaining -= 1
        // A negative return makes libbpf stop after this record, which stays consumed.
        return state.pointee.remaining == 0 ? -1 : 0
    } catch {
        state.pointee.failure = error
        return -1
    }
}

/// Read-only mappings of the ring's consumer and producer position pages, for `pendingBytes`.
private final class RingPositions: Sendable {
    private let consumerPage: UnsafeSendableAddress
    private let producerPage: UnsafeSendableAddress
    private let pageSize: Int

    init(fd: Int32, capacity: Int, name: String) throws(BPFError) {
        pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let consumer = mmap(nil, pageSize, PROT_READ, MAP_SHARED, fd, 0)
        guard let consumer, consumer != MAP_FAILED else { throw BPFError.failed("mmap(\(name) consumer page)") }
        let producer = mmap(nil, pageSize, PROT_READ, MAP_SHARED, fd, off_t(pageSize))
        guard let producer, producer != MAP_FAILED else {
            munmap(consumer, pageSize)
            throw BPFError.failed("mmap(\(name) producer page)")
        }
        consumerPage = UnsafeSendableAddress(consumer)
        producerPage = UnsafeSendableAddress(producer)
    }

    deinit {
        munmap(consumerPage.pointer, pageSize)
        munmap(producerPage.pointer, pageSize)
    }

    /// Each position is one aligned 64-bit word: a plain load is atomic on the supported CPUs.
    /// The consumer position is read first: both only grow and the consumer never passes the
    /// producer, so a producer read after it is never behind it. (Read the other way round, a
    /// drain between the two loads made the difference negative, which crashed a scrape.)
    var pending: Int {
        let consumer = consumerPage.pointer.load(as: UInt64.self)
        let producer = producerPage.pointer.load(as: UInt64.self)
        return producer >= consumer ? Int(clamping: producer - consumer) : 0
    }
}

/// A pointer into memory shared with the kernel that is mapped once and only read.
/// Invariant for `@unchecked Sendable`: the mapping lives as long as its owner and is read-only.
private struct UnsafeSendableAddress: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    init(_ pointer: UnsafeMutableRawPointer) { self.pointer = pointer }
}
