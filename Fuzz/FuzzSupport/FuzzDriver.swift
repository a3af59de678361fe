import Foundation

/// The `main` every fuzz target shares. Built by `make fuzz` (-sanitize=fuzzer,address -DFUZZING)
/// it hands over to libFuzzer (LLVMFuzzerRunDriver), which calls the target's
/// `LLVMFuzzerTestOneInput` with each input. A plain `swift build` makes a replayer instead:
/// `TARGET FILE...` runs each file through the same function and prints what it made of it, which
/// is how an input the fuzzer saved is reproduced without the sanitizer build.
public enum FuzzDriver {
    public typealias TestOneInput = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    /// - Parameters:
    ///   - testOneInput: the target's `LLVMFuzzerTestOneInput`.
    ///   - describe: one line on what the target makes of an input, for the replayer.
    public static func main(_ testOneInput: TestOneInput, describe: ([UInt8]) -> String) throws -> Never {
        #if FUZZING
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
        #else
        for path in CommandLine.arguments.dropFirst() {
            let input = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            _ = input.withUnsafeBufferPointer { testOneInput($0.baseAddress, $0.count) }
            print("\(path): \(input.count) bytes, \(describe(input))")
        }
        exit(0)
        #endif
    }
}

#if FUZZING
/// libFuzzer's entry point for programs that keep their own main (compiler-rt, LLVM ≥ 12).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: FuzzDriver.TestOneInput
) -> CInt
#endif
