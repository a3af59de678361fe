import FileOpenCore
import Testing

@Suite("Lexical paths: a failed open's directory and name, joined and normalised")
struct LexicalPathTests {
    @Test("., .., repeated and trailing slashes; an absolute name ignores the directory",
          arguments: [
            ("/srv/app", "x", "/srv/app/x"),
            ("/srv/app", "./x", "/srv/app/x"),
            ("/srv/app", "../x", "/srv/x"),
            ("/srv/app", "a/b/../../c", "/srv/app/c"),
            ("/srv/app", "a//b///c/", "/srv/app/a/b/c"),
            ("/srv/app", "/etc/passwd", "/etc/passwd"),
            ("/srv/app", "//etc/./x/..", "/etc"),
            ("/srv/app", ".", "/srv/app"),
            ("/srv/app", "", "/srv/app"),
            ("/", "..", "/"),
            ("/", "../../../etc/passwd", "/etc/passwd"),
            ("/a", "...", "/a/..."),
            ("/a", "..x/.y", "/a/..x/.y"),
          ])
    func joined(directory: String, name: String, expected: String) {
        #expect(LexicalPath.joined(directory: directory, name: name) == expected)
    }

    @Test("Hostile names: thousands of .. stay at the root; a long name comes back whole; escapes stay text")
    func hostile() {
        let climbing = String(repeating: "../", count: 5000) + "etc/shadow"
        #expect(LexicalPath.joined(directory: "/home/u", name: climbing) == "/etc/shadow")
        let long = String(repeating: "a", count: 8000)
        #expect(LexicalPath.joined(directory: "/d", name: long) == "/d/" + long)
        #expect(LexicalPath.joined(directory: "/d", name: "\\xff/\u{1b}[2J") == "/d/\\xff/\u{1b}[2J")
        #expect(LexicalPath.joined(directory: "/d", name: "/") == "/")
    }
}
