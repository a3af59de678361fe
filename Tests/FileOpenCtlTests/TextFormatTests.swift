import FileOpenCore
import FileOpenCtlKit
import Testing

@Suite("Tables, number formats and arguments")
struct TextFormatTests {
    @Test("Tables: widest cell sets the width, numbers right, last text column unpadded")
    func table() {
        var table = TextTable([.number("N"), .text("NAME"), .text("PATH")])
        table.append(["1", "漢字", "/a"])
        table.append(["100", "x"])
        #expect(table.lines() == ["  N  NAME  PATH", "  1  漢字  /a", "100  x"])
    }

    @Test("Decimals round half away from zero; NaN and infinity are -")
    func decimals() {
        #expect(NumberFormat.decimal(3.25) == "3.3")
        #expect(NumberFormat.decimal(0.04) == "0.0")
        #expect(NumberFormat.decimal(-0.04) == "0.0")
        #expect(NumberFormat.decimal(-1.25, places: 1) == "-1.3")
        #expect(NumberFormat.decimal(2, places: 0) == "2")
        #expect(NumberFormat.decimal(1.005, places: 3) == "1.005")
        #expect(NumberFormat.decimal(.nan) == "-")
        #expect(NumberFormat.decimal(.infinity) == "-")
        #expect(NumberFormat.decimal(1e20) == "1e+20")
    }

    @Test("Durations and sizes for people")
    func durationsAndSizes() {
        #expect(NumberFormat.duration(seconds: 2.54) == "2.5s")
        #expect(NumberFormat.duration(seconds: 42.9) == "42s")
        #expect(NumberFormat.duration(seconds: 192) == "3m 12s")
        #expect(NumberFormat.duration(seconds: 7384) == "2h 03m")
        #expect(NumberFormat.duration(seconds: 5 * 86400 + 4 * 3600) == "5d 04h")
        #expect(NumberFormat.duration(seconds: -1) == "-")
        #expect(NumberFormat.binarySize(512) == "512 B")
        #expect(NumberFormat.binarySize(4 << 20) == "4.0 MiB")
        #expect(NumberFormat.binarySize(1536) == "1.5 KiB")
    }

    @Test("top --watch without a number gets 2; with one, it is joined; elsewhere and after -- nothing changes")
    func watchArgument() {
        #expect(WatchArgument.expanded(["top", "--watch"]) == ["top", "--watch=2"])
        #expect(WatchArgument.expanded(["top", "--watch", "--by", "errors"]) == ["top", "--watch=2", "--by", "errors"])
        #expect(WatchArgument.expanded(["top", "--watch", "0.5", "--json"]) == ["top", "--watch=0.5", "--json"])
        #expect(WatchArgument.expanded(["top", "--watch", "-1"]) == ["top", "--watch=-1"])
        #expect(WatchArgument.expanded(["top", "--watch=5"]) == ["top", "--watch=5"])
        #expect(WatchArgument.expanded(["top", "--", "--watch"]) == ["top", "--", "--watch"])
        #expect(WatchArgument.expanded(["status", "--watch"]) == ["status", "--watch"])
        #expect(WatchArgument.expanded(["--json", "top", "--watch"]) == ["--json", "top", "--watch=2"])
    }

    @Test("Orders parse in the protocol's spelling and with dashes")
    func orders() {
        #expect(TopOrder(argument: "opens") == .opens)
        #expect(TopOrder(argument: "errors_rate") == .errorsRate)
        #expect(TopOrder(argument: "opens-rate") == .opensRate)
        #expect(TopOrder(argument: "bytes") == nil)
        #expect(TopOrder.allCases.map(\.rawValue) == ["opens", "errors", "opens_rate", "errors_rate"])
    }
}
