// A fuzz target for the `filters` setting's grammar (OpenFilters): `make fuzz` runs it under
// libFuzzer; a plain build replays saved inputs (see FuzzDriver). The configuration fuzz target
// reaches the same parser through YAML; this one feeds it items directly, one per input line.
import FileOpenCore
import FuzzSupport

/// The input's lines, each one item of the setting (bytes that are not UTF-8 repaired, as a
/// YAML reader or the environment would hand them over).
func items(_ input: [UInt8]) -> [String] {
    input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
}

/// Parses one list. Any outcome but a crash is fine, provided these hold: a refusal names a
/// problem; accepted filters stay within the kernel maps' bounds, and their canonical items
/// parse back to the same filters (what `--check-config` prints and `status` shows).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFilterRules(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let filters: OpenFilters
    do {
        filters = try OpenFilters(parsing: items(Array(UnsafeBufferPointer(start: data, count: size))))
    } catch {
        precondition(!error.problem.isEmpty, "a refusal without a problem: \(error)")
        return 0
    }
    precondition(filters.rules.count <= OpenFilters.maximumRules, "\(filters.rules.count) rules accepted")
    for rule in filters.rules {
        let bytes = Array(rule.value.utf8)
        precondition(!bytes.isEmpty && !bytes.contains(0), "value \(rule.value.debugDescription) accepted")
        switch rule.kind {
        case .uid: precondition(UInt32(rule.value).map { $0 < UInt32.max } == true, "uid \(rule.value) accepted")
        case .comm: precondition(bytes.count <= OpenFilters.maximumCommBytes, "comm \(rule.value.debugDescription) accepted")
        case .unit: precondition(bytes.count <= OpenFilters.maximumUnitBytes && !bytes.contains(UInt8(ascii: "/")),
                                 "unit \(rule.value.debugDescription) accepted")
        }
    }
    do {
        let again = try OpenFilters(parsing: filters.items)
        precondition(again == filters, "\(filters.items) reads back as \(again.items)")
    } catch {
        preconditionFailure("the canonical items \(filters.items) are refused: \(error)")
    }
    return 0
}

@main
struct FilterRuleFuzzer {
    static func main() throws {
        try FuzzDriver.main(fuzzFilterRules) { input in
            do throws(OpenFilters.ParseError) {
                return "accepted: " + (try OpenFilters(parsing: items(input))).items.joined(separator: "; ")
            } catch {
                return "refused: \(error.rule.debugDescription): \(error.problem)"
            }
        }
    }
}
