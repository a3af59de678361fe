public import FileOpenCore

/// `fileopenctl proc PID`: a header block about the process, its failures by errno, and the paths
/// it opened most.
public enum ProcFormatter {
    /// The lines for a `proc` result; `clock` turns boot-time stamps into dates.
    public static func lines(_ process: ProcessReport, clock: WallClock) -> [String] {
        var block = KeyValueBlock()
        block.number("pid", process.pid)
        block.text("comm", TerminalText.escaped(process.comm))
        if let unit = process.unit { block.text("unit", TerminalText.escaped(unit)) }
        if let container = process.containerID { block.text("container", TerminalText.escaped(container)) }
        block.text("started", clock.describe(boottime: process.startNs))
        block.text("first seen", clock.describe(boottime: process.firstSeenNs))
        block.text("last seen", clock.describe(boottime: process.lastSeenNs))
        if process.exited {
            block.text("exited", "yes" + (process.exitedNs.map { ", " + clock.describe(boottime: $0) } ?? ""))
        } else {
            block.text("exited", "no")
        }
        block.number("opens", process.opens)
        block.number("failed", process.failed)
        block.number("missed", process.missed, suffix: "(counted without a record)")
        block.number("creates", process.creates)
        block.text("access", access(process.byAccess))

        let paths = process.topPaths
        // Opens with a record (the top paths can only have counted those), and how many of them
        // the list counted: fewer once its top paths were dropped or reset.
        let recorded = process.opens - min(process.opens, process.missed)
        let dropped = paths.isEmpty && recorded > 0
        let countsLevel = process.detailLevel == .counts
        if countsLevel {
            block.text("top paths", "none at detail_level counts (paths need detail_level: events)")
        } else if dropped {
            block.text("top paths", "none kept now (dropped for more recently active processes, or reset); its next open starts a new list")
        } else {
            // Space-Saving evicts only from a full list, so counts are exact until it fills; then a
            // newcomer inherits the evicted path's count and the numbers become upper bounds.
            let capacity = process.topPathsCapacity
            let note = paths.count < capacity ? "counts exact" : "list full, counts may be overestimates"
            var text = "\(paths.count) of at most \(capacity) kept (\(note))"
            if process.topPathsOpens < recorded {
                text += ", covering \(process.topPathsOpens) of its \(recorded) recorded opens"
            }
            block.text("top paths", text)
        }

        var lines = block.lines()
        let errors = process.errors.sorted { left, right in
            left.value != right.value ? left.value > right.value : left.key < right.key
        }
        lines.append("")
        if errors.isEmpty {
            lines.append("no failed opens")
        } else {
            var table = TextTable([.text("ERRNO"), .number("COUNT")])
            for (name, count) in errors {
                table.append([TerminalText.escaped(name), String(count)])
            }
            lines += table.lines()
        }

        lines.append("")
        if paths.isEmpty {
            lines.append(countsLevel ? "no paths at detail_level counts" : dropped ? "no top paths kept" : "no paths recorded")
        } else {
            var table = TextTable([.number("OPENS"), .text("PATH")])
            for entry in paths {
                // Counted under the resolved path; the path as first passed where it differs.
                let path = entry.resolution == .unresolved || entry.passed == entry.path
                    ? TerminalText.escaped(entry.path)
                    : EventLineFormatter.resolvedText(
                        entry.path, resolution: entry.resolution, truncated: false, unreachable: false,
                        passed: TerminalText.escaped(entry.passed))
                table.append([String(entry.opens), path])
            }
            lines += table.lines()
        }
        return lines
    }

    /// `read 480, write 15, read_write 5`: the daemon's order for known modes, others after.
    private static func access(_ modes: [String: UInt64]) -> String {
        guard !modes.isEmpty else { return "-" }
        let known = ["read", "write", "read_write"]
        let rank = { (key: String) in (known.firstIndex(of: key) ?? known.count, key) }
        let ordered = modes.sorted { rank($0.key) < rank($1.key) }
        return ordered.map { TerminalText.escaped($0.key) + " " + String($0.value) }.joined(separator: ", ")
    }
}
