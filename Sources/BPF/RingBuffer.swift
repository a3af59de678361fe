import CLibbpf
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A consumer of a `BPF_MAP_TYPE_RINGBUF` map that decodes each record into `Record` and hands
/// it to a handler. It reads the ring's shared pages itself (`mmap` of the map, as libbpf's
/// `ring_buffer` does) rather than through libbpf's callback: the drain loop then calls the
/// handler directly, and the consumer position is handed back to the kernel every
/// `releaseInterval` bytes instead of after every record, so the cache line the producers read on
/// every reservation is not pulled back and forth per record (libbpf 1.1 has no batch API).
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

    /// The shared pages; nil once closed. The lock serializes drains.
    private let mapping: Mutex<RingMapping?>

    /// Maps the consumer side of a loaded ring buffer map: its consumer position page read-write,
    /// its producer position page and data read-only, the data twice in a row so that a record
    /// that wraps around the end reads as one piece (`mmap`, as `ring_buffer__add` does).
    public init(map: BPFMap) throws(BPFError) {
        guard map.type == .ringBuffer else {
            throw BPFError.wrongMapType(name: map.name, expected: .ringBuffer, actual: map.type)
        }
        let fd = try map.fileDescriptor
        let capacity = try map.maxEntries
        self.map = map
        self.capacity = capacity
        self.mapping = Mutex(try RingMapping(fd: fd, capacity: capacity, name: map.name))
    }

    /// Unmaps the ring; later calls throw `closed` and `pendingBytes` is 0. Idempotent.
    public func close() {
        mapping.withLock { $0 = nil }
    }

    /// Waits up to `timeout` for a wakeup, then drains what is ready (as `ring_buffer__poll`).
    /// Returns the number of records handled. An interrupted wait returns 0.
    @discardableResult
    public func poll(timeout: Duration, handler: (Record) throws -> Void) throws -> Int {
        try pollBytes(timeout: timeout, handler: { try handler(Record(bpfRecord: $0)) })
    }

    /// Drains every record available now, without waiting (as `ring_buffer__consume`).
    /// Returns the number of records handled.
    @discardableResult
    public func consume(handler: (Record) throws -> Void) throws -> Int {
        try consumeBytes(handler: { try handler(Record(bpfRecord: $0)) })
    }

    /// Waits up to `timeout` for the kernel to wake the ring, without draining it: a wakeup
    /// sent since the last wait (`epoll_wait` on the map's descriptor, edge-triggered). Records
    /// pending alone do not end the wait: producers that submit with `BPF_RB_NO_WAKEUP` and
    /// force a wakeup only when the ring fills get a consumer that sleeps out its interval
    /// instead of draining again as soon as one record arrives. (A producer using the default
    /// wakeup policy wakes it for the first record after each drain.) Returns whether it woke
    /// before the timeout; an interrupted wait returns false.
    @discardableResult
    public func wait(timeout: Duration) throws(BPFError) -> Bool {
        guard let epoll = mapping.withLock({ $0?.epoll }) else {
            throw BPFError.closed(operation: "epoll_wait(ring buffer \(map.name))")
        }
        var event = epoll_event()
        let result = epoll_wait(epoll, &event, 1, Self.milliseconds(timeout))
        if result < 0 {
            if errno == EINTR { return false }
            throw BPFError.callFailed(operation: "epoll_wait(ring buffer \(map.name))", errno: errno)
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
        // Records already pending are drained at once (as the level-triggered ring_buffer__poll
        // would); otherwise wait for the producer's wakeup.
        if pendingBytes == 0 {
            guard try wait(timeout: timeout) else { return 0 }
        }
        return try consumeBytes(handler: handler)
    }

    /// `consume(handler:)` handing over each record's bytes undecoded, and stopping after `limit`
    /// records, so that a drain does not last as long as producers keep up with it. A record's
    /// bytes stay valid until the handler returns from the next record (or the call ends), so a
    /// handler may compare a record with the one before it in place.
    @discardableResult
    public func consumeBytes(limit: Int = .max, handler: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        try mapping.withLock { (mapping: inout RingMapping?) throws -> Int in
            guard let mapping else { throw BPFError.closed(operation: "consume(ring buffer \(map.name))") }
            return try mapping.drain(limit: max(1, limit), handler)
        }
    }

    /// Bytes written by the kernel and not yet consumed (producer minus consumer position, read
    /// from the ring's shared pages; libbpf 1.1 has no accessor for it).
    public var pendingBytes: Int {
        mapping.withLock { $0?.pendingBytes ?? 0 }
    }
}

/// The ring's pages as mapped into this process, and the drain loop over them (the layout and
/// protocol of the kernel's `kernel/bpf/ringbuf.c`, read as libbpf's `ringbuf_process_ring`
/// reads it). Each record starts with an 8-byte header: its length, with `BPF_RINGBUF_BUSY_BIT`
/// set until the producer commits it and `BPF_RINGBUF_DISCARD_BIT` if it was discarded.
///
/// Invariant for `@unchecked Sendable`: only used inside its `RingBuffer`'s mutex.
private final class RingMapping: @unchecked Sendable {
    /// Hand space back to the producers about this often (bytes), keeping the last record handed
    /// over (the handler may still read it); all of it at the end of a drain.
    static let releaseInterval: UInt64 = 64 * 1024
    // Computed, so they fold to constants: a stored static is a swift_once call per use.
    private static var busyBit: UInt32 { UInt32(BPF_RINGBUF_BUSY_BIT) }
    private static var discardBit: UInt32 { UInt32(BPF_RINGBUF_DISCARD_BIT) }
    private static var headerSize: Int { Int(BPF_RINGBUF_HDR_SZ) }

    /// An epoll instance watching the map's descriptor, edge-triggered (`RingBuffer.wait`).
    let epoll: Int32
    private let consumerPage: UnsafeMutableRawPointer
    private let producerPages: UnsafeMutableRawPointer
    private let pageSize: Int
    private let producerLength: Int
    private let mask: UInt64

    init(fd: Int32, capacity: Int, name: String) throws(BPFError) {
        pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        producerLength = pageSize + 2 * capacity
        mask = UInt64(capacity - 1)
        let consumer = mmap(nil, pageSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        guard let consumer, consumer != MAP_FAILED else {
            throw BPFError.callFailed(operation: "mmap(ring buffer \(name) consumer page)", errno: errno)
        }
        let producer = mmap(nil, producerLength, PROT_READ, MAP_SHARED, fd, off_t(pageSize))
        guard let producer, producer != MAP_FAILED else {
            let failure = errno
            munmap(consumer, pageSize)
            throw BPFError.callFailed(operation: "mmap(ring buffer \(name) producer page and data)", errno: failure)
        }
        let epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        var event = epoll_event(events: EPOLLIN.rawValue | EPOLLET.rawValue, data: epoll_data_t(fd: fd))
        if epoll < 0 || epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) != 0 {
            let failure = errno
            if epoll >= 0 { Glibc.close(epoll) }
            munmap(consumer, pageSize)
            munmap(producer, producerLength)
            throw BPFError.callFailed(operation: "epoll_ctl(ring buffer \(name))", errno: failure)
        }
        self.epoll = epoll
        consumerPage = consumer
        producerPages = producer
    }

    deinit {
        Glibc.close(epoll)
        munmap(consumerPage, pageSize)
        munmap(producerPages, producerLength)
    }

    private var consumerPosition: UnsafeMutablePointer<UInt64> { consumerPage.assumingMemoryBound(to: UInt64.self) }
    private var producerPosition: UnsafePointer<UInt64> { UnsafePointer(producerPages.assumingMemoryBound(to: UInt64.self)) }

    /// The consumer position is read first: both only grow and the consumer never passes the
    /// producer, so a producer read after it is never behind it. (Read the other way round, a
    /// drain between the two loads made the difference negative, which crashed a scrape.)
    var pendingBytes: Int {
        let consumer = clibbpf_load_acquire_u64(consumerPosition)
        let producer = clibbpf_load_acquire_u64(producerPosition)
        return producer >= consumer ? Int(clamping: producer - consumer) : 0
    }

    /// Hands up to `limit` committed records to `handler`, in order, skipping discarded ones;
    /// stops early at a record the producer has not committed yet. A throwing handler stops the
    /// drain after its record, which counts as consumed. Returns the records handled.
    func drain(limit: Int, _ handler: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        let data = UnsafeRawPointer(producerPages + pageSize)
        var consumed = clibbpf_load_acquire_u64(consumerPosition)
        var released = consumed
        // Where the last record handed over starts: space is handed back only up to there.
        var kept = consumed
        var handled = 0
        defer {
            if consumed != released { clibbpf_store_release_u64(consumerPosition, consumed) }
        }
        var produced = clibbpf_load_acquire_u64(producerPosition)
        while consumed < produced {
            while consumed < produced {
                let header = data + Int(truncatingIfNeeded: consumed & mask)
                let word = clibbpf_load_acquire_u32(header.assumingMemoryBound(to: UInt32.self))
                if word & Self.busyBit != 0 { return handled }
                let length = Int(word & ~Self.discardBit)
                let start = consumed
                consumed += UInt64((length + Self.headerSize + 7) & ~7)
                if word & Self.discardBit == 0 {
                    kept = start
                    try handler(UnsafeRawBufferPointer(start: header + Self.headerSize, count: length))
                    handled += 1
                    if handled == limit { return handled }
                }
                if kept - released >= Self.releaseInterval {
                    clibbpf_store_release_u64(consumerPosition, kept)
                    released = kept
                }
            }
            produced = clibbpf_load_acquire_u64(producerPosition)
        }
        return handled
    }
}
