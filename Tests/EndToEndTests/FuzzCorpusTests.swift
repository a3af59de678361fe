import FileOpenTestSupport
import Foundation
import Testing

/// Every fuzz target's committed corpus (Fuzz/<target>/corpus: the hand-made seeds `make fuzz` and
/// `make test` start from, and `regression-*`, the input of every crash a fuzzer found) replayed
/// through the target's own checks by its plain-build replayer (see Fuzz/FuzzSupport): a crash the
/// fuzzer once found must stay fixed without a sanitizer build.
@Suite("Fuzz corpora replayed", .serialized)
struct FuzzCorpusTests {
    /// The repository's Fuzz directory.
    static let fuzzDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz")

    /// Fuzz/*Fuzzer: every fuzz target.
    static let targets: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fuzzDirectory.path)) ?? []
        return names.filter { $0.hasSuffix("Fuzzer") }.sorted()
    }()

    @Test("There are fuzz targets, each with a corpus")
    func targetsHaveCorpora() {
        #expect(Self.targets.count >= 4, "\(Self.targets)")
        for target in Self.targets {
            #expect(Self.inputs(of: target).count >= 10, "\(target) has fewer than 10 committed inputs")
        }
    }

    /// The committed inputs of `target`, sorted.
    static func inputs(of target: String) -> [String] {
        let corpus = fuzzDirectory.appendingPathComponent(target).appendingPathComponent("corpus")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: corpus.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { corpus.appendingPathComponent($0).path }
    }

    @Test("Each target's replayer runs its whole corpus without a crash", arguments: targets)
    func replay(target: String) throws {
        let inputs = Self.inputs(of: target)
        let replayer = ChildProcess.binDirectory.appendingPathComponent(target).path
        let run = try CommandResult.run(replayer, inputs)
        #expect(run.status == 0, "\(target) crashed or failed on its corpus: \(run.errorOutput.suffix(2000))")
        // A line for each input: every file was run through the target.
        let output = "\n" + run.output
        for input in inputs {
            #expect(output.contains("\n\(input): "), "\(input) was not replayed: \(run.output.suffix(2000))")
        }
    }
}
