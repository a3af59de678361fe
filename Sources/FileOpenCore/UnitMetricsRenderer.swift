/// Renders the per-unit families: opens by the systemd unit (and container id, where there is
/// one) of the cgroup they were made in, over the daemon's lifetime, like the per-comm ones:
/// `[other]` beyond the unit cap and `[unknown]` for cgroups that could not be named, so the
/// sum over a family equals the per-comm family's. Zero detail series are left out; `opens` is
/// there for every unit.
public enum UnitMetricsRenderer {
    public static func render(_ units: UnitTable, into writer: inout ExpositionWriter) {
        writer.family(
            "fileopen_unit_opens", .counter,
            help: "File open attempts by systemd unit (and container id), failed ones included, over the daemon's lifetime."
        )
        for entry in units.all {
            sample(entry.unit, into: &writer, entry.counters.opens)
        }
        writer.family("fileopen_unit_open_errors", .counter, help: "Failed file open attempts by systemd unit, by errno.")
        for entry in units.all {
            for error in entry.counters.errors {
                sample(entry.unit, ("errno", error.name), into: &writer, error.count)
            }
        }
        writer.family("fileopen_unit_opens_by_access", .counter, help: "File open attempts by systemd unit, by access mode.")
        for entry in units.all {
            let (unit, counters) = (entry.unit, entry.counters)
            if counters.reads > 0 { sample(unit, ("access", "read"), into: &writer, counters.reads) }
            if counters.writes > 0 { sample(unit, ("access", "write"), into: &writer, counters.writes) }
            if counters.readWrites > 0 { sample(unit, ("access", "read_write"), into: &writer, counters.readWrites) }
        }
        writer.family("fileopen_unit_opens_with_create", .counter, help: "File open attempts by systemd unit with O_CREAT.")
        for entry in units.all where entry.counters.creates > 0 {
            sample(entry.unit, into: &writer, entry.counters.creates)
        }
    }

    /// One sample labelled `unit`, `container_id` where the unit has one, and `extra`.
    private static func sample(
        _ unit: ServiceUnit, _ extra: (String, String)? = nil, into writer: inout ExpositionWriter, _ value: UInt64
    ) {
        switch (unit.containerID.isEmpty, extra) {
        case (true, nil): writer.sample(["unit": unit.unit], value)
        case (false, nil): writer.sample(["unit": unit.unit, "container_id": unit.containerID], value)
        case (true, let (name, label)?): writer.sample(["unit": unit.unit, name: label], value)
        case (false, let (name, label)?):
            writer.sample(["unit": unit.unit, "container_id": unit.containerID, name: label], value)
        }
    }
}
