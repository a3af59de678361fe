public import FileOpenCore

extension TopOrder {
    /// The order named `argument` as the protocol spells it (`opens_rate`), or with dashes
    /// (`opens-rate`) as people type it on a command line.
    public init?(argument: String) {
        self.init(rawValue: String(argument.map { $0 == "-" ? "_" : $0 }))
    }
}
