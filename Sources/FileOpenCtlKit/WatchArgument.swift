/// `top --watch [SECONDS]`: an option whose value may be left out. Before `CtlArguments` reads the
/// words, a bare `--watch` becomes `--watch=2` and `--watch N` becomes `--watch=N` (so a negative
/// N reaches validation instead of being read as an option), as when swift-argument-parser read them.
public enum WatchArgument {
    /// The seconds between rounds when `--watch` has no value.
    public static let defaultSeconds = 2.0
    /// The option's spelling.
    public static let name = "--watch"

    /// `arguments` (without the program name) with every `--watch` after the `top` subcommand
    /// given its value explicitly. Nothing after a `--` terminator is touched, and elsewhere a
    /// `--watch` is left for the parser to refuse as typed.
    public static func expanded(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var index = 0
        var afterTop = false
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" {
                result += arguments[index...]
                break
            }
            if argument == "top" { afterTop = true }
            if argument == name && afterTop {
                if index + 1 < arguments.count, Double(arguments[index + 1]) != nil {
                    result.append(name + "=" + arguments[index + 1])
                    index += 2
                    continue
                }
                result.append(name + "=" + NumberFormat.decimal(defaultSeconds, places: 0))
            } else {
                result.append(argument)
            }
            index += 1
        }
        return result
    }
}
