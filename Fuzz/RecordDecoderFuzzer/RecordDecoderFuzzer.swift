// A fuzz target for the ring-buffer record decoder (DecodedProbeRecord): `make fuzz` runs it under
// libFuzzer; a plain build replays saved inputs (see FuzzDriver).
import FileOpenProbe
import FuzzSupport

/// Decodes one input. Any outcome but a crash is fine: a record or a thrown BPFRecordError.
/// Exported under libFuzzer's conventional name, which its runtime references.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRecordDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = try? DecodedProbeRecord(bpfRecord: UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

@main
struct RecordDecoderFuzzer {
    static func main() throws {
        try FuzzDriver.main(fuzzRecordDecoder) { input in
            do {
                _ = try input.withUnsafeBytes { try DecodedProbeRecord(bpfRecord: $0) }
                return "decoded"
            } catch {
                return "rejected: \(error)"
            }
        }
    }
}
