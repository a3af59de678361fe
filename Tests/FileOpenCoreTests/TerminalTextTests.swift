import FileOpenCore
import Testing

@Suite("Terminal safety and widths")
struct TerminalTextTests {
    @Test("C0, DEL, C1 and bidirectional controls are escaped; backslashes doubled; the rest kept")
    func escaping() {
        #expect(TerminalText.escaped("plain é✓ /etc/hosts") == "plain é✓ /etc/hosts")
        #expect(TerminalText.escaped("a\nb\tc\r\u{1b}[2J\u{7f}") == "a\\nb\\tc\\x0d\\x1b[2J\\x7f")
        #expect(TerminalText.escaped("\u{9b}31m") == "\\u{9B}31m")
        #expect(TerminalText.escaped("\u{80}\u{85}\u{9f}\u{a0}") == "\\u{80}\\u{85}\\u{9F}\u{a0}")
        #expect(TerminalText.escaped("evil\u{202e}txt.exe\u{2028}") == "evil\\u{202E}txt.exe\\u{2028}")
        #expect(TerminalText.escaped("\u{61c}\u{200e}\u{200f}\u{2029}\u{202a}\u{2066}\u{2069}")
            == "\\u{61C}\\u{200E}\\u{200F}\\u{2029}\\u{202A}\\u{2066}\\u{2069}")
        // The daemon's own \xNN (invalid UTF-8 it kept) stays distinguishable from a real escape.
        #expect(TerminalText.escaped("\\xff") == "\\\\xff")
    }

    @Test("Nothing a terminal acts on survives, whatever the scalar")
    func everyScalar() {
        let all = String(String.UnicodeScalarView((0...0x2FFF).compactMap(Unicode.Scalar.init)))
        let escaped = TerminalText.escaped(all)
        for scalar in escaped.unicodeScalars {
            let value = scalar.value
            #expect(value >= 0x20 && !(0x7F...0x9F).contains(value), "U+\(String(value, radix: 16)) left as it is")
            #expect(![0x061C, 0x200E, 0x200F, 0x2028, 0x2029].contains(value) && !(0x202A...0x202E).contains(value)
                && !(0x2066...0x2069).contains(value), "U+\(String(value, radix: 16)) left as it is")
        }
    }

    @Test("Display width counts wide characters twice and combining marks not at all")
    func width() {
        #expect(TerminalText.displayWidth("nginx") == 5)
        #expect(TerminalText.displayWidth("漢字") == 4)
        #expect(TerminalText.displayWidth("e\u{301}") == 1)
        #expect(TerminalText.displayWidth("😀") == 2)
        #expect(TerminalText.padded("漢", to: 4) == "漢  ")
        #expect(TerminalText.padded("7", to: 3, alignRight: true) == "  7")
    }
}
