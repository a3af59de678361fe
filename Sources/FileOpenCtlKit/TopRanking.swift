public import FileOpenCore

/// What `fileopenctl top --by` names: an order (`opens`, `errors`, `opens-rate`, `errors-rate`),
/// or, as the short way to say `--group`, what is ranked (`process`, `comm`, `unit`), by opens.
public enum TopRanking: Equatable, Sendable, CustomStringConvertible {
    case order(TopOrder)
    case group(TopGroup)

    /// An order as `TopOrder(argument:)` reads it, else a group by its name.
    public init?(argument: String) {
        if let order = TopOrder(argument: argument) {
            self = .order(order)
        } else if let group = TopGroup(rawValue: argument) {
            self = .group(group)
        } else {
            return nil
        }
    }

    /// Every value `--by` takes.
    public static let names = TopOrder.allCases.map(\.rawValue) + TopGroup.allCases.map(\.rawValue)

    public var description: String {
        switch self {
        case .order(let order): order.rawValue
        case .group(let group): group.rawValue
        }
    }
}
