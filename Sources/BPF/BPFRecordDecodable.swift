/// A type that a `RingBuffer` decodes each record into.
public protocol BPFRecordDecodable {
    /// Decodes one record. `bytes` points into the ring buffer and is valid only during the call;
    /// a thrown error is rethrown by `RingBuffer.poll`/`consume` after the record is consumed.
    init(bpfRecord bytes: UnsafeRawBufferPointer) throws
}

/// Raw records: the bytes, copied out of the ring.
extension Array: BPFRecordDecodable where Element == UInt8 {
    public init(bpfRecord bytes: UnsafeRawBufferPointer) {
        self.init(bytes)
    }
}

/// Reads fixed-layout fields from a record in order, checking bounds, for hand-written decoders.
public struct BPFRecordReader {
    /// The whole record.
    public let bytes: UnsafeRawBufferPointer
    /// Where the next read starts.
    public private(set) var offset = 0

    public init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Bytes not yet read.
    public var remaining: Int { bytes.count - offset }

    /// Reads a `T` at the current offset (unaligned reads allowed).
    public mutating func read<T: BitwiseCopyable>(_ type: T.Type = T.self) throws(BPFRecordError) -> T {
        try require(MemoryLayout<T>.size, for: "\(T.self)")
        defer { offset += MemoryLayout<T>.size }
        return bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
    }

    /// Reads a `char[count]` field as a string ending at its first NUL; invalid UTF-8 is repaired.
    public mutating func readCString(capacity count: Int) throws(BPFRecordError) -> String {
        let field = try readBytes(count: count)
        return String(decoding: field.prefix(while: { $0 != 0 }), as: UTF8.self)
    }

    /// Reads `count` bytes without copying; valid as long as `bytes`.
    public mutating func readBytes(count: Int) throws(BPFRecordError) -> UnsafeRawBufferPointer {
        try require(count, for: "\(count) bytes")
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
    }

    private func require(_ count: Int, for field: String) throws(BPFRecordError) {
        guard count >= 0, count <= remaining else {
            throw BPFRecordError.truncated(field: field, offset: offset, needed: count, recordSize: bytes.count)
        }
    }
}

/// A record that does not decode.
public enum BPFRecordError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The record ends before the field does.
    case truncated(field: String, offset: Int, needed: Int, recordSize: Int)
    /// A field holds a value the decoder does not accept.
    case invalid(field: String, value: String)

    public var description: String {
        switch self {
        case .truncated(let field, let offset, let needed, let recordSize):
            "record of \(recordSize) bytes too short: \(field) needs \(needed) bytes at offset \(offset)"
        case .invalid(let field, let value):
            "record field \(field) holds an invalid value \(value)"
        }
    }
}
