public import FileOpenCore

/// `fileopenctl proc PID`: a header block about the process, its failures by errno, and the paths
/// it opened most.
public enum ProcFormatter {
    /// The lines for a `proc` result object; `clock` turns boot-time stamps into dates.
    public static func lines(_ result: JSONValue, clock: WallClock) -> [String] {
        var block = KeyValueBlock()
        block.number("pid", result["pid"])
        block.text("comm", TerminalText.escaped(result["comm"]?.stringValue ?? "-"))
        block.text("started", date(result["start_ns"], clock))
        block.text("first seen", date(result["first_seen_ns"], clock))
        block.text("last seen", date(result["last_seen_ns"], clock))
        if result["exited"]?.boolValue == true {
            let when = result["exited_ns"]?.uint64Value.map { ", " + clock.describe(boottime: $0) } ?? ""
            block.text("exited", "yes" + when)
        } else {
            block.text("exited", result["exited"] == nil ? "-" : "no")
        }
        block.number("opens", result["opens"])
        block.number("failed", result["failed"])
        block.number("missed", result["missed"], suffix: "(counted without a record)")
        block.number("creates", result["creates"])
        block.text("access", access(result["by_access"]?.objectValue))

        let paths = result["top_paths"]?.arrayValue ?? []
        // Opens with a record (the top paths can only have counted those), and how many of them
        // the list counted: fewer once its top paths were dropped or reset.
        let recorded = (result["opens"]?.uint64Value).map { $0 - min($0, result["missed"]?.uint64Value ?? 0) }
        let counted = result["top_paths_opens"]?.uint64Value
        let dropped = paths.isEmpty && (recorded ?? 0) > 0 && counted != nil
        let countsLevel = result["detail_level"]?.stringValue == "counts"
        if countsLevel {
            block.text("top paths", "none at detail_level counts (paths need detail_level: events)")
        } else if dropped {
            block.text("top paths", "none kept now (dropped for more recently active processes, or reset); its next open starts a new list")
        } else if let capacity = result["top_paths_capacity"]?.int64Value {
            // Space-Saving evicts only from a full list, so counts are exact until it fills; then a
            // newcomer inherits the evicted path's count and the numbers become upper bounds.
            let note = paths.count < capacity ? "counts exact" : "list full, counts may be overestimates"
            var text = "\(paths.count) of at most \(capacity) kept (\(note))"
            if let recorded, let counted, counted < recorded {
                text += ", covering \(counted) of its \(recorded) recorded opens"
            }
            block.text("top paths", text)
        }

        var lines = block.lines()
        let errors = (result["errors"]?.objectValue?.members ?? []).sorted { left, right in
            let leftCount = left.value.uint64Value ?? 0, rightCount = right.value.uint64Value ?? 0
            return leftCount != rightCount ? leftCount > rightCount : left.key < right.key
        }
        lines.append("")
        if errors.isEmpty {
            lines.append("no failed opens")
        } else {
            var table = TextTable([.text("ERRNO"), .number("COUNT")])
            for (name, count) in errors {
                table.append([TerminalText.escaped(name), count.numberText ?? "-"])
            }
            lines += table.lines()
        }

        lines.append("")
        if paths.isEmpty {
            lines.append(countsLevel ? "no paths at detail_level counts" : dropped ? "no top paths kept" : "no paths recorded")
        } else {
            var table = TextTable([.number("OPENS"), .text("PATH")])
            for entry in paths {
                let path = TerminalText.escaped(entry["path"]?.stringValue ?? "-")
                table.append([entry["opens"]?.numberText ?? "-", path])
            }
            lines += table.lines()
        }
        return lines
    }

    private static func date(_ value: JSONValue?, _ clock: WallClock) -> String {
        value?.uint64Value.map { clock.describe(boottime: $0) } ?? "-"
    }

    /// `read 480, write 15, read_write 5`: the daemon's order for known modes, others after.
    private static func access(_ modes: JSONObject?) -> String {
        guard let modes, !modes.members.isEmpty else { return "-" }
        let known = ["read", "write", "read_write"]
        let rank = { (key: String) in (known.firstIndex(of: key) ?? known.count, key) }
        let ordered = modes.members.sorted { rank($0.key) < rank($1.key) }
        return ordered.map { TerminalText.escaped($0.key) + " " + ($0.value.numberText ?? "-") }.joined(separator: ", ")
    }
}
