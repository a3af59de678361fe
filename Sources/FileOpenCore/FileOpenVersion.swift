/// The version of fileopend and fileopenctl, shown by `--version`, `fileopen_build_info` and
/// the query socket's `status`.
public enum FileOpenVersion {
    public static let current = "0.3.0"
}
