public import FileOpenCore

/// `fileopenctl status`: the daemon's health as grouped key/value lines.
public enum StatusFormatter {
    /// The lines for a `status` result.
    public static func lines(_ status: StatusReport) -> [String] {
        var block = KeyValueBlock()
        block.section("daemon")
        block.text("version", TerminalText.escaped(status.daemonVersion))
        block.text("kernel", TerminalText.escaped(status.kernelRelease))
        block.text("attach mode", TerminalText.escaped(status.attachMode))
        block.text("detail level", status.detailLevel.rawValue)
        block.text("uptime", NumberFormat.duration(seconds: status.uptimeSeconds))

        if let apis = status.apis {
            block.section("open APIs")
            for api in OpenAPI.allCases {
                guard let seen = apis[api.rawValue] else { continue }
                var text = seen.covered ? "covered" : "NOT covered in \(TerminalText.escaped(status.attachMode)) mode"
                if seen.covered, let opens = seen.opens {
                    text += ", \(opens) opens (\(seen.failed ?? 0) failed)"
                }
                block.text(api.rawValue, text)
            }
        }

        block.section("records")
        block.number("open", status.records.open)
        block.number("exit", status.records.exit)
        block.number("undecodable", status.records.undecodable)

        block.section("drops")
        for (reason, count) in orderedDrops(status.drops) {
            block.number(TerminalText.escaped(reason), count)
        }
        block.number("missed opens", status.missedOpens, suffix: "(no record, still counted)")
        for map in ["missed", "missed_comms"] {
            let fill = status.missedMaps[map]
            block.number(
                "\(map) map", fill.map { String($0.entries) } ?? "-",
                suffix: "of \(fill.map { String($0.capacity) } ?? "-") entries")
        }

        block.section("ring buffer")
        let ring = status.ringBuffer
        block.number("size", ring.sizeBytes, suffix: "bytes (" + NumberFormat.binarySize(UInt64(max(0, ring.sizeBytes))) + ")")
        block.number("pending", ring.pendingBytes, suffix: "bytes" + fill(pending: ring.pendingBytes, size: ring.sizeBytes))

        block.section("processes")
        block.number("tracked", status.trackedProcesses)
        block.number("commands", status.trackedComms)

        if let cgroups = status.cgroups {
            block.section("units")
            block.text("cgroups", TerminalText.escaped(
                cgroups.mode + (cgroups.mount.isEmpty ? " (no v2 hierarchy: every open under [unknown])" : " at " + cgroups.mount)
            ))
            block.number("known cgroups", cgroups.known)
            block.number("units", cgroups.units, suffix: "of \(cgroups.unitLimit)")
        }

        if let filters = status.filters {
            block.section("filters")
            if filters.rules.isEmpty { block.text("rules", "none (every open is reported)") }
            for rule in filters.rules { block.text("rule", TerminalText.escaped(rule)) }
            for kind in OpenFilters.Reason.allCases.map(\.description) {
                block.number("filtered \(kind)", filters.filteredOpens[kind] ?? 0, suffix: "opens (not counted)")
            }
        }

        block.section("clients")
        block.number("connected", status.clients.connected)
        block.number("tailing", status.clients.tailing)
        block.number("tail dropped", status.clients.tailDroppedEvents, suffix: "events")
        return block.lines()
    }

    /// ` (12.5% full)`, for a ring of some size.
    private static func fill(pending: Int, size: Int) -> String {
        guard size > 0 else { return "" }
        return " (" + NumberFormat.decimal(Double(pending) / Double(size) * 100, places: 1) + "% full)"
    }

    /// The kernel's reasons in `DropReason` order, then any others by name: a stable order
    /// whatever order the daemon's encoder chose.
    private static func orderedDrops(_ drops: [String: UInt64]) -> [(String, UInt64)] {
        let known = DropReason.allCases.map(\.description)
        return drops.sorted { left, right in
            let leftRank = known.firstIndex(of: left.key) ?? known.count
            let rightRank = known.firstIndex(of: right.key) ?? known.count
            return leftRank != rightRank ? leftRank < rightRank : left.key < right.key
        }.map { ($0.key, $0.value) }
    }
}
