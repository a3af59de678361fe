/// What `top` ranks processes by, as the protocol spells it (`by`).
public enum TopRanking: String, CaseIterable, Sendable {
    /// Lifetime opens.
    case opens
    /// Lifetime failed opens.
    case errors
    /// Opens per second over the last complete rate window.
    case opensRate = "opens_rate"
    /// Failed opens per second over the last complete rate window.
    case errorsRate = "errors_rate"

    /// Also accepts the dashed spelling (`opens-rate`) people type on a command line.
    public init?(argument: String) {
        self.init(rawValue: String(argument.map { $0 == "-" ? "_" : $0 }))
    }
}
