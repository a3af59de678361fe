import FileOpenCore
import Testing

@Suite("Units: a cgroup's path to its unit and container, per-unit totals and their caps")
struct UnitAttributionTests {
    static let hex = String(repeating: "0123456789abcdef", count: 4)

    @Test("systemd's layouts name the unit as systemd does; container scopes and cgroupfs layouts give the id", arguments: [
        ("/", "-.slice", ""),
        ("/init.scope", "init.scope", ""),
        ("/system.slice", "system.slice", ""),
        ("/system.slice/nginx.service", "nginx.service", ""),
        ("/system.slice/nginx.service/worker", "nginx.service", ""),
        ("/system.slice/systemd-journald.socket", "systemd-journald.socket", ""),
        ("/user.slice/user-1000.slice/session-3.scope", "session-3.scope", ""),
        ("/user.slice/user-1000.slice/user@1000.service", "user@1000.service", ""),
        ("/user.slice/user-1000.slice/user@1000.service/init.scope", "user@1000.service/init.scope", ""),
        ("/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service", "user@1000.service/foo.service", ""),
        ("/user.slice/user-1000.slice/user@1000.service/app.slice", "user@1000.service", ""),
        ("/system.slice/docker-\(hex).scope", "docker-\(hex).scope", hex),
        ("/system.slice/crio-\(hex).scope", "crio-\(hex).scope", hex),
        ("/system.slice/crio-conmon-\(hex).scope", "crio-conmon-\(hex).scope", ""),
        ("/machine.slice/libpod-\(hex).scope/container", "libpod-\(hex).scope", hex),
        (
            "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1b2c.slice/cri-containerd-\(hex).scope",
            "cri-containerd-\(hex).scope", hex
        ),
        ("/docker/\(hex)", "-.slice", hex),
        ("/kubepods/burstable/pod1b2c-77/\(hex)", "-.slice", hex),
        ("/libpod_parent/libpod-\(hex)", "-.slice", hex),
        ("/mygroup/sub", "-.slice", ""),
        ("/fileopendtest1.slice/alpha.service", "alpha.service", ""),
    ])
    func layouts(path: String, unit: String, container: String) throws {
        let parsed = try #require(ServiceUnit(cgroupPath: path))
        #expect(parsed.unit == unit)
        #expect(parsed.containerID == container)
    }

    @Test("hostile and malformed paths: refused, or no unit where a component is not a unit name")
    func hostile() throws {
        #expect(ServiceUnit(cgroupPath: "") == nil)
        #expect(ServiceUnit(cgroupPath: "system.slice/a.service") == nil, "not absolute")
        #expect(ServiceUnit(cgroupPath: "/a\0b.service") == nil)
        #expect(ServiceUnit(cgroupPath: "/" + String(repeating: "a", count: 4095)) == nil, "beyond PATH_MAX")
        #expect(ServiceUnit(cgroupPath: "/.service")?.unit == "-.slice", "no name before the suffix")
        #expect(ServiceUnit(cgroupPath: "/" + String(repeating: "u", count: 250) + ".service")?.unit == "-.slice",
                "longer than systemd's 255 bytes")
        #expect(ServiceUnit(cgroupPath: "/a\nb.service")?.unit == "a\nb.service", "kept as is: the renderer escapes it")
        #expect(ServiceUnit(cgroupPath: "/docker/\(Self.hex.uppercased())")?.containerID == "", "ids are lowercase")
        #expect(ServiceUnit(cgroupPath: "/docker/\(Self.hex.dropLast())")?.containerID == "", "63 digits")
        #expect(ServiceUnit(cgroupPath: "//system.slice///a.service/")?.unit == "a.service")
        #expect(ServiceUnit(cgroupPath: "/user.slice/user@x.service/b.service")?.unit == "user@x.service", "no user manager")
    }

    /// An open in cgroup `cgroup` by process `pid`.
    static func open(pid: Int32, cgroup: UInt64, comm: String = "cat", result: Int64 = 3, flags: UInt32 = 0) -> ProbeRecord {
        .open(FileOpenEvent(
            timestamp: 1, process: ProcessIdentity(pid: pid, startTime: 1), tid: pid, uid: 0, cgroupID: cgroup,
            syscall: .openat, flags: OpenFlags(rawValue: flags), mode: 0, result: result, comm: comm, path: "/etc/hostname"
        ))
    }

    /// An aggregator that knows these cgroups.
    static func aggregator(_ cgroups: KeyValuePairs<UInt64, String>, settings: AggregatorSettings = AggregatorSettings()) -> Aggregator {
        var aggregator = Aggregator(settings: settings)
        for (id, path) in cgroups { aggregator.apply(CgroupChange(.made, id: id, path: path)) }
        return aggregator
    }

    @Test("each open counts under the unit of the cgroup it was made in, a process that moves included")
    func attribution() {
        var aggregator = Self.aggregator([
            10: "/system.slice/a.service", 11: "/system.slice/docker-\(Self.hex).scope", 12: "/system.slice/a.service/sub",
        ])
        aggregator.apply([Self.open(pid: 1, cgroup: 10), Self.open(pid: 1, cgroup: 10, result: -2)])
        aggregator.apply([Self.open(pid: 1, cgroup: 11, flags: 0o101), Self.open(pid: 2, cgroup: 12)])
        aggregator.apply([Self.open(pid: 2, cgroup: 99)])
        let a = aggregator.units[ServiceUnit(unit: "a.service")]
        #expect(a?.opens == 3 && a?.errors(2) == 1)
        let docker = aggregator.units[ServiceUnit(unit: "docker-\(Self.hex).scope", containerID: Self.hex)]
        #expect(docker?.opens == 1 && docker?.writes == 1 && docker?.creates == 1)
        #expect(aggregator.units[.unknown]?.opens == 1, "a cgroup never learned")
        #expect(aggregator.units.all.reduce(0) { $0 + $1.counters.opens } == aggregator.comms["cat"]?.opens)
    }

    @Test("a process remembers its cgroup's unit, not [unknown] (a cgroup learned later is named) nor [other]")
    func remembered() {
        var aggregator = Self.aggregator([10: "/a.service"], settings: AggregatorSettings(maxUnits: 1))
        aggregator.apply([Self.open(pid: 1, cgroup: 20), Self.open(pid: 1, cgroup: 20, result: -2)])
        aggregator.apply(CgroupChange(.made, id: 20, path: "/late.service"))
        aggregator.apply([Self.open(pid: 1, cgroup: 20)])
        #expect(aggregator.units[.unknown]?.opens == 2)
        #expect(aggregator.units[ServiceUnit(unit: "late.service")]?.opens == 1)
        // Back and forth between cgroups, the cap reached: each open where it was made.
        aggregator.apply([10, 20, 20, 10, 10, 20].map { Self.open(pid: 1, cgroup: $0) })
        #expect(aggregator.units[ServiceUnit(unit: "a.service")] == nil, "the cap was taken by late.service")
        #expect(aggregator.units[.other]?.opens == 3 && aggregator.statistics.overflowedUnitOpens == 3)
        #expect(aggregator.units[ServiceUnit(unit: "late.service")]?.opens == 4)
        #expect(aggregator.process(ProcessIdentity(pid: 1, startTime: 1))?.cgroup == 20)
    }

    @Test("a walk of the hierarchy adds what is missing and revives no cgroup removed meanwhile")
    func walkAgain() {
        var aggregator = Self.aggregator([1: "/a.service", 2: "/b.service"])
        aggregator.apply(CgroupChange(.removed, id: 2, path: "/b.service"))
        for change in [CgroupChange(.made, id: 2, path: "/b.service"), CgroupChange(.made, id: 3, path: "/c.service")] {
            aggregator.apply(change)
        }
        #expect(aggregator.cgroups.unit(of: 3)?.unit == "c.service")
        for now in UInt64(1)...2 { _ = aggregator.foldMissed(MissedMaps(), now: now) }
        #expect(aggregator.cgroups.unit(of: 2) == nil && aggregator.cgroups.count == 2)
    }

    @Test("runs of repeats count per unit exactly as one by one, over the cap too")
    func runs() {
        var aggregator = Aggregator(settings: AggregatorSettings(maxUnits: 1))
        aggregator.apply(CgroupChange(.made, id: 10, path: "/a.service"))
        aggregator.apply(CgroupChange(.made, id: 11, path: "/b.service"))
        let records = Array(repeating: Self.open(pid: 1, cgroup: 10), count: 5)
            + Array(repeating: Self.open(pid: 1, cgroup: 11), count: 7) + Array(repeating: Self.open(pid: 1, cgroup: 10), count: 2)
        var runs = OpenRunCounter()
        Array("/etc/hostname".utf8).withUnsafeBytes { path in  // one path's bytes, valid for the whole run
            for case .open(let event) in records {
                let view = OpenRecordView(
                    timestamp: 1, process: event.process, flags: event.flags, result: event.result,
                    comm: CommBytes(event.comm), cgroup: event.cgroupID, path: path
                )
                runs.count(view, into: &aggregator) { _ in event.path }
            }
            runs.flush(into: &aggregator)
        }
        var batched = Aggregator(settings: AggregatorSettings(maxUnits: 1))
        batched.apply(CgroupChange(.made, id: 10, path: "/a.service"))
        batched.apply(CgroupChange(.made, id: 11, path: "/b.service"))
        batched.apply(records)
        for aggregate in [aggregator, batched] {
            #expect(aggregate.units[ServiceUnit(unit: "a.service")]?.opens == 7)
            #expect(aggregate.units[.other]?.opens == 7)
            #expect(aggregate.units[ServiceUnit(unit: "b.service")] == nil)
            #expect(aggregate.statistics.overflowedUnitOpens == 7)
        }
    }

    @Test("beyond max_units, new units count under [other]; the sums stay exact; a raised cap gives new ones their own")
    func cap() {
        var aggregator = Aggregator(settings: AggregatorSettings(maxUnits: 3))
        for id in UInt64(1)...10 {
            aggregator.apply(CgroupChange(.made, id: id, path: "/system.slice/u\(id).service"))
            aggregator.apply(Array(repeating: Self.open(pid: Int32(id), cgroup: id), count: Int(id)))
        }
        #expect(aggregator.units.namedCount == 3)
        #expect(aggregator.units[.other]?.opens == 55 - 6)
        #expect(aggregator.statistics.overflowedUnitOpens == 49)
        #expect(aggregator.units.all.reduce(0) { $0 + $1.counters.opens } == 55)
        aggregator.settings.maxUnits = 4
        aggregator.apply([Self.open(pid: 9, cgroup: 9)])
        #expect(aggregator.units[ServiceUnit(unit: "u9.service")]?.opens == 1)
        #expect(aggregator.units[.other]?.opens == 49, "counts never move between units")
    }

    @Test("the kernel's counts count per cgroup; a removed cgroup stays named for two folds, then is forgotten")
    func kernelCounts() {
        var aggregator = Aggregator()
        let process = ProcessIdentity(pid: 5, startTime: 1)
        aggregator.apply(CgroupChange(.made, id: 20, path: "/short.slice/brief.service"))
        aggregator.apply(CgroupChange(.made, id: 21, path: "/system.slice/long.service"))
        func reading(_ brief: UInt64, _ long: UInt64, comm: UInt64 = 0) -> MissedMaps {
            let inBrief = MissedOpens(opens: brief, reads: brief, errors: brief > 0 ? [2: 1] : [:], comm: "cat")
            let inLong = MissedOpens(opens: long, writes: long, comm: "cat")
            var total = MissedOpens(opens: brief + long, reads: brief, writes: long, comm: "cat")
            total.errors = inBrief.errors
            return MissedMaps(
                processes: [process: total], comms: comm > 0 ? ["cat": MissedOpens(opens: comm, reads: comm, comm: "cat")] : [:],
                processEntries: 3, commEntries: comm > 0 ? 1 : 0,
                cgroups: [
                    MissedMaps.CgroupKey(process: process, cgroup: 20): inBrief,
                    MissedMaps.CgroupKey(process: process, cgroup: 21): inLong,
                ]
            )
        }
        _ = aggregator.foldMissed(reading(3, 1), now: 1)
        // Removed before the next fold, which still attributes what was counted in it meanwhile.
        aggregator.apply(CgroupChange(.removed, id: 20, path: "/short.slice/brief.service"))
        _ = aggregator.foldMissed(reading(4, 2, comm: 5), now: 2)
        #expect(aggregator.units[ServiceUnit(unit: "brief.service")]?.opens == 4)
        #expect(aggregator.units[ServiceUnit(unit: "brief.service")]?.errors(2) == 1)
        #expect(aggregator.units[ServiceUnit(unit: "long.service")]?.writes == 2)
        #expect(aggregator.units[.unknown]?.opens == 5, "kept per comm only: no cgroup")
        #expect(aggregator.cgroups.unit(of: 20) != nil)
        _ = aggregator.foldMissed(reading(4, 2, comm: 5), now: 3)
        #expect(aggregator.cgroups.unit(of: 20) == nil)
        #expect(aggregator.statistics.forgottenCgroups == 1)
        #expect(aggregator.units.all.reduce(0) { $0 + $1.counters.opens } == aggregator.comms["cat"]?.opens)
    }

    @Test("the per-unit families: container_id only where there is one, bucket names as they are, exact sums")
    func exposition() {
        var aggregator = Aggregator()
        aggregator.apply(CgroupChange(.made, id: 1, path: "/system.slice/docker-\(Self.hex).scope"))
        aggregator.apply(CgroupChange(.made, id: 2, path: "/system.slice/we\"ird\n.service"))
        aggregator.apply([Self.open(pid: 1, cgroup: 1, result: -13), Self.open(pid: 2, cgroup: 2, flags: 0o102), Self.open(pid: 3, cgroup: 3)])
        var writer = ExpositionWriter(format: .prometheusText)
        UnitMetricsRenderer.render(aggregator.units, into: &writer)
        let text = String(decoding: writer.bytes, as: UTF8.self)
        #expect(text.contains("fileopen_unit_opens_total{unit=\"docker-\(Self.hex).scope\",container_id=\"\(Self.hex)\"} 1\n"))
        #expect(text.contains("fileopen_unit_open_errors_total{unit=\"docker-\(Self.hex).scope\",container_id=\"\(Self.hex)\",errno=\"EACCES\"} 1\n"))
        #expect(text.contains("fileopen_unit_opens_total{unit=\"we\\\"ird\\n.service\"} 1\n"))
        #expect(text.contains("fileopen_unit_opens_by_access_total{unit=\"we\\\"ird\\n.service\",access=\"read_write\"} 1\n"))
        #expect(text.contains("fileopen_unit_opens_with_create_total{unit=\"we\\\"ird\\n.service\"} 1\n"))
        #expect(text.contains("fileopen_unit_opens_total{unit=\"[unknown]\"} 1\n"))
    }
}

@Suite("Units in the query protocol: top by comm or unit, tail by unit")
struct UnitQueryTests {
    static func decode(_ line: String) throws(QueryError) -> QueryRequest {
        try QueryRequest.decode(line: Array(line.utf8))
    }

    @Test("group and unit decode, and encode back to the same request")
    func decoding() throws {
        let requests: [(String, QueryRequest)] = [
            (#"{"version":1,"command":"top","group":"unit"}"#, .top(by: .opens, limit: 20, comm: nil, group: .unit)),
            (#"{"version":1,"command":"top","group":"comm","by":"errors"}"#, .top(by: .errors, limit: 20, comm: nil, group: .comm)),
            (#"{"version":1,"command":"top","group":"process","comm":"x"}"#, .top(by: .opens, limit: 20, comm: "x")),
            (#"{"version":1,"command":"tail","unit":"nginx.service"}"#, .tail(TailFilter(unit: "nginx.service"))),
        ]
        for (line, expected) in requests {
            let request = try Self.decode(line)
            #expect(request == expected)
            #expect(try Self.decode(String(request.line.dropLast())) == expected)
        }
        #expect(QueryRequest.top(by: .opens, limit: 20, comm: nil).line == #"{"command":"top","version":1}"# + "\n")
    }

    @Test("refused: rates or a comm with a group, an unknown group, an empty unit")
    func refusals() {
        for (line, message) in [
            (#"{"version":1,"command":"top","group":"unit","by":"opens_rate"}"#, "rates are kept per process"),
            (#"{"version":1,"command":"top","group":"comm","comm":"x"}"#, "goes with the group \"process\" only"),
            (#"{"version":1,"command":"top","group":"pod"}"#, #"must be one of "process", "comm", "unit""#),
            (#"{"version":1,"command":"tail","unit":""}"#, "must be a non-empty string"),
        ] {
            #expect(throws: QueryError.self) { try Self.decode(line) }
            do {
                _ = try Self.decode(line)
            } catch {
                #expect(error.code == .invalidArgument && error.message.contains(message), "\(error.message)")
            }
        }
    }

    @Test("top by unit ranks units by opens or errors, ties by name; container ids where there are some")
    func topByUnit() {
        var aggregator = UnitAttributionTests.aggregator([
            1: "/b.service", 2: "/docker-\(UnitAttributionTests.hex).scope", 3: "/a.service",
        ])
        aggregator.apply([UnitAttributionTests.open(pid: 1, cgroup: 1), UnitAttributionTests.open(pid: 2, cgroup: 2, result: -2)])
        aggregator.apply([UnitAttributionTests.open(pid: 3, cgroup: 3), UnitAttributionTests.open(pid: 3, cgroup: 2)])
        let byOpens = TopReport(aggregator, by: .opens, limit: 2, comm: nil, group: .unit)
        #expect(byOpens.processes.isEmpty && byOpens.group == .unit)
        #expect(byOpens.totals == [
            TopReport.Total(name: "docker-\(UnitAttributionTests.hex).scope", containerID: UnitAttributionTests.hex, opens: 2, errors: 1),
            TopReport.Total(name: "a.service", opens: 1, errors: 0),
        ])
        let byErrors = TopReport(aggregator, by: .errors, limit: 1, comm: nil, group: .comm)
        #expect(byErrors.totals == [TopReport.Total(name: "cat", opens: 4, errors: 1)])
        #expect(TopReport(aggregator, by: .opens, limit: 5, comm: nil).totals == nil)
    }
}
