public import FileOpenCore

/// `fileopenctl status`: the daemon's health as grouped key/value lines. A field the daemon did
/// not send shows as "-"; fields this client does not know are left to `--json`.
public enum StatusFormatter {
    /// The lines for a `status` result object.
    public static func lines(_ result: JSONValue) -> [String] {
        var block = KeyValueBlock()
        block.section("daemon")
        block.text("version", text(result["daemon_version"]))
        block.text("kernel", text(result["kernel_release"]))
        block.text("attach mode", text(result["attach_mode"]))
        block.text("detail level", text(result["detail_level"]))
        block.text("uptime", result["uptime_seconds"]?.doubleValue.map { NumberFormat.duration(seconds: $0) } ?? "-")

        block.section("records")
        block.number("open", result["records"]?["open"])
        block.number("exit", result["records"]?["exit"])
        block.number("undecodable", result["records"]?["undecodable"])

        block.section("drops")
        for (reason, count) in orderedDrops(result["drops"]?.objectValue) {
            block.number(TerminalText.escaped(reason), count)
        }
        block.number("missed opens", result["missed_opens"], suffix: "(no record, still counted)")
        for map in ["missed", "missed_comms"] {
            let fill = result["missed_maps"]?[map]
            block.number("\(map) map", fill?["entries"], suffix: "of \(fill?["capacity"]?.uint64Value.map(String.init) ?? "-") entries")
        }

        block.section("ring buffer")
        let size = result["ring_buffer"]?["size_bytes"]
        let pending = result["ring_buffer"]?["pending_bytes"]
        let sizeText = size?.uint64Value.map { " (" + NumberFormat.binarySize($0) + ")" } ?? ""
        block.number("size", size, suffix: "bytes" + sizeText)
        block.number("pending", pending, suffix: "bytes" + fill(pending: pending?.uint64Value, size: size?.uint64Value))

        block.section("processes")
        block.number("tracked", result["tracked_processes"])
        block.number("commands", result["tracked_comms"])

        block.section("clients")
        block.number("connected", result["clients"]?["connected"])
        block.number("tailing", result["clients"]?["tailing"])
        block.number("tail dropped", result["clients"]?["tail_dropped_events"], suffix: "events")
        return block.lines()
    }

    private static func text(_ value: JSONValue?) -> String {
        guard let value else { return "-" }
        return TerminalText.escaped(value.stringValue ?? value.description)
    }

    /// ` (12.5% full)` when both numbers are there.
    private static func fill(pending: UInt64?, size: UInt64?) -> String {
        guard let pending, let size, size > 0 else { return "" }
        return " (" + NumberFormat.decimal(Double(pending) / Double(size) * 100, places: 1) + "% full)"
    }

    /// The kernel's reasons in `DropReason` order, then any others by name: a stable order
    /// whatever order the daemon's encoder chose.
    private static func orderedDrops(_ drops: JSONObject?) -> [(String, JSONValue)] {
        guard let drops else { return [] }
        let known = DropReason.allCases.map(\.description)
        return drops.members.sorted { left, right in
            let leftRank = known.firstIndex(of: left.key) ?? known.count
            let rightRank = known.firstIndex(of: right.key) ?? known.count
            return leftRank != rightRank ? leftRank < rightRank : left.key < right.key
        }.map { ($0.key, $0.value) }
    }
}
