/// Numbers as the tables show them, without Foundation's locale-dependent formatters: fixed
/// decimals, short durations, binary sizes.
public enum NumberFormat {
    /// `value` with exactly `places` decimals, rounded half away from zero (`3.25` → `3.3`); "-"
    /// for NaN or infinity.
    public static func decimal(_ value: Double, places: Int = 1) -> String {
        guard value.isFinite else { return "-" }
        var factor = 1.0
        for _ in 0..<places { factor *= 10 }
        let scaled = (value.magnitude * factor).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9e18 else { return String(value) }  // Beyond any real count; exponent form is fine.
        let units = UInt64(scaled)
        let whole = units / UInt64(factor)
        let sign = value < 0 && units != 0 ? "-" : ""
        guard places > 0 else { return sign + String(whole) }
        let fraction = String(units % UInt64(factor))
        return sign + String(whole) + "." + String(repeating: "0", count: places - fraction.count) + fraction
    }

    /// Seconds as typed: `2`, `0.5`, `2.5` (one decimal unless whole).
    public static func seconds(_ value: Double) -> String {
        decimal(value, places: value.rounded() == value ? 0 : 1)
    }

    /// A duration for people: `2.5s`, `42s`, `3m 12s`, `2h 03m`, `5d 04h`.
    public static func duration(seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "-" }
        if seconds < 10 { return decimal(seconds, places: 1) + "s" }
        let total = UInt64(seconds.rounded(.down))
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m \(twoDigits(total % 60))s" }
        if total < 86400 { return "\(total / 3600)h \(twoDigits(total % 3600 / 60))m" }
        return "\(total / 86400)d \(twoDigits(total % 86400 / 3600))h"
    }

    /// A byte count in the largest binary unit that keeps it at least 1: `512 B`, `4.0 MiB`.
    public static func binarySize(_ bytes: UInt64) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        guard bytes >= 1024 else { return "\(bytes) B" }
        var value = Double(bytes) / 1024
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return decimal(value, places: 1) + " " + units[unit]
    }

    private static func twoDigits(_ value: UInt64) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
