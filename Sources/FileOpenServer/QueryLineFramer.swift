/// Splits the bytes of a query connection into request lines. A line is at most `maxLineBytes`
/// bytes, its newline included; a longer one is reported once, as soon as that is certain
/// (without waiting for its end), and its remaining bytes are skipped up to the next newline.
struct QueryLineFramer {
    enum Item: Equatable {
        /// A request line, without its newline.
        case line([UInt8])
        /// A line longer than the limit; its bytes are being skipped.
        case tooLong
    }

    let maxLineBytes: Int
    private var buffer: [UInt8] = []
    /// Where the unconsumed bytes start in `buffer`; consumed ones are dropped on the next append.
    private var start = 0
    /// Bytes from `start` already searched for a newline without finding one.
    private var scanned = 0
    /// Skipping the rest of an overlong line.
    private var discarding = false

    init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    /// Bytes buffered and not yet returned (at most `maxLineBytes` plus one append).
    var pendingCount: Int { buffer.count - start }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete line or overlong-line notice; nil when more bytes are needed.
    mutating func next() -> Item? {
        while true {
            let newline = buffer[(start + scanned)...].firstIndex(of: 0x0A)
            if discarding {
                guard let newline else {
                    consumeAll()
                    return nil
                }
                consume(upTo: newline + 1)
                discarding = false
                continue
            }
            guard let newline else {
                scanned = buffer.count - start
                guard scanned >= maxLineBytes else { return nil }
                // maxLineBytes bytes and still no newline: with it the line would be longer.
                consumeAll()
                discarding = true
                return .tooLong
            }
            let length = newline - start
            let line = Array(buffer[start..<newline])
            consume(upTo: newline + 1)
            return length + 1 > maxLineBytes ? .tooLong : .line(line)
        }
    }

    /// At the end of the stream: the last line if it had no newline (nil if there is none, or
    /// it was overlong and is being skipped).
    mutating func finish() -> Item? {
        defer { consumeAll() }
        guard !discarding, pendingCount > 0 else { return nil }
        return .line(Array(buffer[start...]))
    }

    private mutating func consume(upTo end: Int) {
        start = end
        scanned = 0
    }

    private mutating func consumeAll() {
        buffer.removeAll(keepingCapacity: true)
        start = 0
        scanned = 0
    }
}
