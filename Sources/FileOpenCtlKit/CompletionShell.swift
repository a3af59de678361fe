/// The shells `fileopenctl --generate-completion-script SHELL` writes a completion script for.
/// The scripts are fixed text (`CompletionShell+Scripts.swift`): they complete the subcommands,
/// options and `--by`/`--group` values, and file names for `--socket`, without calling fileopenctl.
public enum CompletionShell: String, CaseIterable, Sendable {
    case zsh
    case bash
    case fish

    /// The script, without a final newline.
    public var script: String {
        switch self {
        case .zsh: Self.zshScript
        case .bash: Self.bashScript
        case .fish: Self.fishScript
        }
    }

    /// The shell of `$SHELL` (its last path component), for `--generate-completion-script`
    /// without a value; bash when it is none of the three.
    public static func named(byShellPath path: String?) -> CompletionShell {
        guard let path, let name = path.split(separator: "/").last else { return .bash }
        return CompletionShell(rawValue: String(name)) ?? .bash
    }
}
