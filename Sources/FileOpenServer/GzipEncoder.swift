import CZlib

/// gzip (RFC 1952) of a whole body in memory, with zlib's deflate.
enum GzipEncoder {
    /// Output is produced in pieces of this size, so a 30 MB body needs no 30 MB worst-case buffer.
    private static let chunkBytes = 256 * 1024

    /// `deflateInit2(level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY)` (+16: a gzip wrapper, not
    /// zlib's), then `deflate(Z_FINISH)` until `Z_STREAM_END`. Nil if zlib fails (only when out of
    /// memory), so the caller sends the body uncompressed.
    static func compress(_ input: [UInt8], level: Int32) -> [UInt8]? {
        var stream = z_stream()
        let initialized = deflateInit2_(
            &stream, max(Z_BEST_SPEED, min(Z_BEST_COMPRESSION, level)), Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
            zlibVersion(), Int32(MemoryLayout<z_stream>.size)
        )
        guard initialized == Z_OK else { return nil }
        defer { deflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(min(chunkBytes, input.count / 4 + 64))
        var chunk = [UInt8](repeating: 0, count: chunkBytes)
        return input.withUnsafeBufferPointer { source -> [UInt8]? in
            // zlib never writes through next_in; the missing const is a C declaration artefact.
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.avail_in = uInt(source.count)
            while true {
                let status = chunk.withUnsafeMutableBufferPointer { buffer -> Int32 in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = uInt(buffer.count)
                    return deflate(&stream, Z_FINISH)
                }
                let produced = chunkBytes - Int(stream.avail_out)
                output.append(contentsOf: chunk[..<produced])
                if status == Z_STREAM_END { return output }
                guard status == Z_OK || status == Z_BUF_ERROR else { return nil }
            }
        }
    }
}
