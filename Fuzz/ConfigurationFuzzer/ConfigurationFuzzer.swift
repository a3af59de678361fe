// A fuzz target for the configuration file's validation (ConfigurationLoader): `make fuzz` runs it
// under libFuzzer; a plain build replays saved inputs (see FuzzDriver).
import FileOpenConfiguration
import FuzzSupport

/// File beginnings the first input byte may put in front of the rest, so that the fuzzer reaches
/// each key's value checks at once instead of first having to discover the key names by chance.
private let prefixes: [[UInt8]] = (
    [""] + ConfigurationKey.allCases.map { "\($0.rawValue): " } + ["listen: [", "retention: 1\nsocket: "]
).map { Array($0.utf8) }

/// The input with its first byte replaced by the prefix it selects.
func framed(_ input: [UInt8]) -> [UInt8] {
    (input.first.map { prefixes[Int($0) % prefixes.count] } ?? []) + input.dropFirst()
}

private let inputs = ConfigurationInputs(path: "/fuzz/fileopend.yaml")

/// Validates one file. Any outcome but a crash is fine, provided these hold: a refusal is one
/// non-empty line; an accepted file's `--check-config` rendering is itself a valid file that
/// gives the same configuration (the README promises it can serve as one).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfiguration(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = framed(Array(UnsafeBufferPointer(start: data, count: size)))
    let loaded: LoadedConfiguration
    do {
        loaded = try ConfigurationLoader.load(inputs, fileContents: bytes)
    } catch {
        let message = error.description
        precondition(!message.isEmpty && !message.contains("\n"), "refusal is not one line: \(message.debugDescription)")
        return 0
    }
    let rendered = Array(loaded.configuration.rendered().utf8)
    do {
        var again = try ConfigurationLoader.load(inputs, fileContents: rendered).configuration
        again.sources = loaded.configuration.sources
        precondition(again == loaded.configuration, "\(String(decoding: rendered, as: UTF8.self)) reads back as \(again)")
    } catch {
        preconditionFailure("the rendering of an accepted file is refused: \(error)\n\(String(decoding: rendered, as: UTF8.self))")
    }
    return 0
}

@main
struct ConfigurationFuzzer {
    static func main() throws {
        try FuzzDriver.main(fuzzConfiguration) { input in
            do {
                return "accepted: " + (try ConfigurationLoader.load(inputs, fileContents: framed(input)))
                    .configuration.rendered().split(separator: "\n").joined(separator: "; ")
            } catch {
                return "refused: \(error)"
            }
        }
    }
}
