// A fuzz target for the ring-buffer record decoder (DecodedProbeRecord).
//
// `make fuzz` builds it with -sanitize=fuzzer,address -DFUZZING: main hands over to libFuzzer
// (LLVMFuzzerRunDriver), which feeds inputs to `fuzzRecordDecoder`. A plain `swift build` makes a
// replayer instead: `RecordDecoderFuzzer FILE...` decodes each file, which is how an input the
// fuzzer saved is reproduced without the sanitizer build.
import FileOpenProbe
import Foundation

/// Decodes one input. Any outcome but a crash is fine: a record or a thrown BPFRecordError.
/// Exported under libFuzzer's conventional name, which its runtime references.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRecordDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = try? DecodedProbeRecord(bpfRecord: UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

#if FUZZING
/// libFuzzer's entry point for programs that keep their own main (compiler-rt, LLVM ≥ 12).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt
#endif

@main
struct RecordDecoderFuzzer {
    static func main() throws {
        #if FUZZING
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzRecordDecoder(data, size) })
        #else
        for path in CommandLine.arguments.dropFirst() {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            let outcome: String
            do {
                _ = try bytes.withUnsafeBytes { try DecodedProbeRecord(bpfRecord: $0) }
                outcome = "decoded"
            } catch {
                outcome = "rejected: \(error)"
            }
            print("\(path): \(bytes.count) bytes, \(outcome)")
        }
        #endif
    }
}
