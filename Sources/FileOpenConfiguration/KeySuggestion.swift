#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The "did you mean" of an unknown key: the known key at the smallest edit distance, if it is
/// close enough to be a typo (at most 2 edits, or the same after lower-casing and `-` → `_`).
enum KeySuggestion {
    static func closest(to name: String, among candidates: [String]) -> String? {
        let normalized = name.lowercased().replacingOccurrences(of: "-", with: "_")
        if let exact = candidates.first(where: { $0.lowercased() == normalized }) { return exact }
        let scored = candidates.map { ($0, distance(normalized, $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= 2, best.1 < best.0.count / 2 else { return nil }
        return best.0
    }

    /// Levenshtein distance over Unicode scalars.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
