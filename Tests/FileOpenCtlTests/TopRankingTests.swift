import FileOpenCore
import FileOpenCtlKit
import Testing

@Suite("top --by: an order, or what to rank")
struct TopRankingTests {
    @Test("orders with dashes or underscores, groups by name, nothing else")
    func parsing() {
        #expect(TopRanking(argument: "opens") == .order(.opens))
        #expect(TopRanking(argument: "errors-rate") == .order(.errorsRate))
        #expect(TopRanking(argument: "unit") == .group(.unit))
        #expect(TopRanking(argument: "comm") == .group(.comm))
        #expect(TopRanking(argument: "process") == .group(.process))
        #expect(TopRanking(argument: "units") == nil && TopRanking(argument: "") == nil)
        #expect(TopRanking.names == ["opens", "errors", "opens_rate", "errors_rate", "process", "comm", "unit"])
    }
}
