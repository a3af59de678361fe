public import FileOpenCore
#if canImport(Glibc)
import Glibc
#endif
public import Logging

/// Where the v2 cgroup hierarchy is mounted, and the cgroups in it: what attribution needs to
/// name the cgroup ids the kernel program reports (a cgroup's id is its cgroupfs inode). Found in
/// `/proc/self/mountinfo`: a pure v2 host (`unified`) mounts only `cgroup2`; a `hybrid` one
/// mounts v1 controllers too (the v2 tree, `/sys/fs/cgroup/unified` under systemd, still holds
/// every process, so attribution works); a `legacy` one has no v2 mount, and every open counts
/// under `unit="[unknown]"`.
public struct CgroupHierarchy: ComponentStatistics, Equatable {
    /// `fileopen_cgroup_hierarchy_info`: how the host mounts cgroups and where opens are attributed from.
    public func writeMetrics(into writer: inout ExpositionWriter) {
        writer.family(
            "fileopen_cgroup_hierarchy", .info,
            help: "How the host mounts cgroups (unified, hybrid, legacy) and where the v2 hierarchy opens are attributed by is."
        )
        writer.sample(["mode": mode.rawValue, "mount": mountPoint ?? ""], UInt64(1))
    }

    public enum Mode: String, Sendable {
        case unified, hybrid, legacy
    }

    public let mode: Mode
    /// Where the v2 hierarchy is mounted (nil: nowhere).
    public let mountPoint: String?
    /// The cgroup the mount shows as its root (`/` but in a cgroup namespace's mount).
    public let mountRoot: String

    public init(mode: Mode, mountPoint: String?, mountRoot: String = "/") {
        self.mode = mode
        self.mountPoint = mountPoint
        self.mountRoot = mountRoot
    }

    /// Reads `/proc/self/mountinfo` (or `mountinfo`, its text): the `cgroup2` mount to use (the
    /// first of `/sys/fs/cgroup`, `/sys/fs/cgroup/unified`, any other, preferring one that shows
    /// the whole hierarchy) and whether v1 hierarchies are mounted too.
    public static func detect(mountinfo: String? = nil) -> CgroupHierarchy {
        let text = mountinfo ?? readText("/proc/self/mountinfo") ?? ""
        var v2: [(point: String, root: String)] = []
        var v1 = false
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard let dash = fields.firstIndex(of: "-"), dash >= 5, dash + 1 < fields.count else { continue }
            switch fields[dash + 1] {
            case "cgroup2": v2.append((unescape(fields[4]), unescape(fields[3])))
            case "cgroup": v1 = true
            default: continue
            }
        }
        let rank = { (mount: (point: String, root: String)) -> Int in
            (mount.root == "/" ? 0 : 10) + (mount.point == "/sys/fs/cgroup" ? 0 : mount.point == "/sys/fs/cgroup/unified" ? 1 : 2)
        }
        guard let chosen = v2.min(by: { rank($0) < rank($1) }) else {
            return CgroupHierarchy(mode: .legacy, mountPoint: nil)
        }
        return CgroupHierarchy(mode: v1 ? .hybrid : .unified, mountPoint: chosen.point, mountRoot: chosen.root)
    }

    /// Every cgroup under the mount, as `made` changes (id and path from the hierarchy's root),
    /// the mount's root first. Directories removed during the walk are skipped; at most `limit`.
    public func walk(limit: Int = 1_000_000) -> [CgroupChange] {
        var found: [CgroupChange] = []
        walk(limit: limit) { found.append($0) }
        return found
    }

    /// Calls `visit` for every cgroup under the mount, the mount's root first, each before its
    /// children are listed (what the filters' marks need: a child made after the listing is
    /// marked by the kernel from its parent's mark). At most `limit`.
    public func walk(limit: Int = 1_000_000, visit: (CgroupChange) -> Void) {
        guard let mountPoint else { return }
        var visited = 0
        var pending: [(directory: String, path: String)] = [(mountPoint, mountRoot)]
        while let (directory, path) = pending.popLast(), visited < limit {
            var status = stat()
            guard lstat(directory, &status) == 0 else { continue }
            visit(CgroupChange(.made, id: UInt64(status.st_ino), path: path))
            visited += 1
            guard let stream = opendir(directory) else { continue }
            defer { closedir(stream) }
            while let entry = readdir(stream) {
                guard entry.pointee.d_type == UInt8(DT_DIR) else { continue }
                let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                    String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
                }
                guard name != ".", name != ".." else { continue }
                pending.append((directory + "/" + name, (path == "/" ? "" : path) + "/" + name))
            }
        }
    }

    /// Learns every cgroup now in the hierarchy into `store`, and says once in the log how
    /// opens will be attributed. Call it after the probe is attached (its records of cgroups
    /// made and removed then cover whatever the walk misses) and before its consumer starts.
    public func learn(into store: AggregatorStore, logger: Logger) {
        let changes = walk()
        store.apply(changes)
        switch mode {
        case .unified:
            logger.info("attributing opens to cgroup v2 units: \(changes.count) cgroups under \(mountPoint ?? "")")
        case .hybrid:
            logger.notice("""
                hybrid cgroup host (v1 controllers mounted too): attributing opens by the v2 hierarchy at \
                \(mountPoint ?? ""), \(changes.count) cgroups
                """)
        case .legacy:
            logger.warning("no cgroup v2 hierarchy mounted (a cgroup v1 host): every open counts under unit=\"[unknown]\"")
        }
    }

    /// A mountinfo field's text: spaces, tabs, newlines and backslashes come as octal escapes.
    static func unescape(_ field: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(field.utf8)[...]
        while let byte = utf8.popFirst() {
            let digits = utf8.prefix(3)
            if byte == UInt8(ascii: "\\"), digits.count == 3,
               digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "7")).contains($0) }),
               let value = UInt8(String(decoding: digits, as: UTF8.self), radix: 8) {
                bytes.append(value)
                utf8 = utf8.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func readText(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes += buffer[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
