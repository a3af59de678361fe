import Foundation
import Testing

/// The README is a front page: short, and every document in docs/ reachable from it; no relative
/// link in the README or docs/ points at a file or a heading that is not there.
@Suite("Documentation: every document reachable from the README; every link resolves")
struct DocumentationTests {
    static let packageDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func text(_ path: String) throws -> String {
        try String(contentsOf: packageDirectory.appendingPathComponent(path), encoding: .utf8)
    }

    /// The Markdown documents: README.md and docs/*.md.
    static func documents() throws -> [String] {
        let docs = try FileManager.default.contentsOfDirectory(atPath: packageDirectory.appendingPathComponent("docs").path)
        return ["README.md"] + docs.filter { $0.hasSuffix(".md") }.sorted().map { "docs/\($0)" }
    }

    /// GitHub's anchor for a heading: lower case, punctuation but `-` and `_` dropped, spaces as `-`.
    static func anchor(_ heading: Substring) -> String {
        String(heading.lowercased().filter { $0.isLetter || $0.isNumber || $0 == " " || $0 == "-" || $0 == "_" })
            .replacingOccurrences(of: " ", with: "-")
    }

    static func anchors(in text: String) -> Set<String> {
        Set(text.split(separator: "\n").filter { $0.hasPrefix("#") }.map { line in
            anchor(line.drop { $0 == "#" }.drop { $0 == " " })
        })
    }

    /// Every `](target)` of `text`, but web addresses.
    static func links(in text: String) -> [String] {
        var links: [String] = []
        var rest = text[...]
        while let start = rest.range(of: "](") {
            rest = rest[start.upperBound...]
            guard let end = rest.firstIndex(of: ")") else { break }
            let target = String(rest[..<end])
            if !target.contains("://"), !target.hasPrefix("mailto:"), !target.contains(" ") { links.append(target) }
        }
        return links
    }

    @Test("README.md is at most 250 lines, and every document in docs/ is reachable from it by links")
    func frontPage() throws {
        let readme = try Self.text("README.md")
        #expect(readme.split(separator: "\n", omittingEmptySubsequences: false).count <= 251)
        // Follow relative links to Markdown files, from the README on; paths relative to the package.
        let root = Self.packageDirectory.standardizedFileURL.path + "/"
        var reached: Set<String> = ["README.md"]
        var pending = ["README.md"]
        while let document = pending.popLast() {
            let base = Self.packageDirectory.appendingPathComponent(document).deletingLastPathComponent()
            for link in Self.links(in: try Self.text(document)) {
                let file = String(link.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0])
                guard file.hasSuffix(".md") else { continue }
                let path = base.appendingPathComponent(file).standardizedFileURL.path
                guard path.hasPrefix(root), FileManager.default.fileExists(atPath: path) else { continue }
                let target = String(path.dropFirst(root.count))
                if reached.insert(target).inserted { pending.append(target) }
            }
        }
        for document in try Self.documents().dropFirst() {
            #expect(reached.contains(document), "\(document) cannot be reached from README.md")
        }
    }

    @Test("Every relative link names a file that exists, and a heading in it that exists")
    func linksResolve() throws {
        for document in try Self.documents() {
            let base = Self.packageDirectory.appendingPathComponent(document).deletingLastPathComponent()
            for link in Self.links(in: try Self.text(document)) {
                let parts = link.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
                let file = parts[0].isEmpty ? Self.packageDirectory.appendingPathComponent(document)
                    : base.appendingPathComponent(String(parts[0])).standardizedFileURL
                guard FileManager.default.fileExists(atPath: file.path) else {
                    Issue.record("\(document): \(link) names no file")
                    continue
                }
                if parts.count == 2, file.pathExtension == "md" {
                    let target = try String(contentsOf: file, encoding: .utf8)
                    #expect(Self.anchors(in: target).contains(String(parts[1])), "\(document): \(link) names no heading")
                }
            }
        }
    }
}
