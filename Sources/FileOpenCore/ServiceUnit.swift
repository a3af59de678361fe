/// The systemd unit, and the container where there is one, that a v2 cgroup belongs to, read
/// from the cgroup's path (relative to the hierarchy's root, as the kernel and
/// `/proc/PID/cgroup` give it). The unit is the first path component that names a unit a
/// process can run in (`.service`, `.scope`, `.socket`, `.mount`, `.swap`) below the slices, as
/// systemd finds it; under a user manager (`user@1000.service`) the user unit follows it after a
/// slash, as journald's `_SYSTEMD_UNIT` and `_SYSTEMD_USER_UNIT` name them:
/// `user@1000.service/app.service`. A path in no unit counts under its innermost slice
/// (`system.slice`), the root and paths systemd does not manage under `-.slice`. The container
/// id is the 64 hex digits of the innermost component that names a container:
/// `docker-ID.scope`, `cri-containerd-ID.scope`, `crio-ID.scope`, `libpod-ID.scope` (systemd
/// driver), `libpod-ID` or a bare `ID` (cgroupfs driver: `/docker/ID`, `/kubepods/…/podUID/ID`).
public struct ServiceUnit: Hashable, Sendable {
    /// The unit's name, or one of the bucket names below.
    public let unit: String
    /// The container's id, or "" where the cgroup is no container's.
    public let containerID: String

    /// Units beyond `AggregatorSettings.maxUnits`.
    public static let other = ServiceUnit(unit: "[other]", containerID: "")
    /// Every open whose cgroup could not be resolved to a path (no v2 hierarchy, a cgroup never
    /// learned, a count the kernel could only keep per comm).
    public static let unknown = ServiceUnit(unit: "[unknown]", containerID: "")
    /// The unit of the root cgroup and of paths outside any systemd unit or slice.
    public static let rootSlice = "-.slice"

    public init(unit: String, containerID: String = "") {
        self.unit = unit
        self.containerID = containerID
    }

    /// The unit of the cgroup at `path`, or nil when `path` is not a cgroup path (not absolute,
    /// longer than the kernel's `PATH_MAX`, or holding a NUL).
    public init?(cgroupPath path: String) {
        guard path.utf8.first == UInt8(ascii: "/"), path.utf8.count <= Self.maxPathBytes,
              !path.utf8.contains(0) else { return nil }
        let components = path.utf8.split(separator: UInt8(ascii: "/")).map { Substring($0) }
        var unit: String?
        var slice: Substring?
        for (index, component) in components.enumerated() {
            if Self.isSlice(component) {
                slice = component
                continue
            }
            guard Self.isProcessUnit(component) else { continue }
            unit = String(component)
            if Self.isUserManager(component),
               let userUnit = components[(index + 1)...].first(where: Self.isProcessUnit) {
                unit! += "/" + userUnit
            }
            break
        }
        var container = ""
        for component in components {
            if let id = Self.containerID(in: component) { container = id }
        }
        self.init(unit: unit ?? slice.map(String.init) ?? Self.rootSlice, containerID: container)
    }

    /// The kernel's PATH_MAX less its NUL.
    static let maxPathBytes = 4095
    /// systemd's longest unit name.
    private static let maxUnitBytes = 255
    private static let processUnitSuffixes = [".service", ".scope", ".socket", ".mount", ".swap"]
    private static let containerPrefixes = ["docker-", "cri-containerd-", "crio-", "libpod-"]

    private static func isSlice(_ component: Substring) -> Bool {
        component.utf8.count > ".slice".utf8.count && component.utf8.count <= maxUnitBytes && component.hasSuffix(".slice")
    }

    private static func isProcessUnit(_ component: Substring) -> Bool {
        guard component.utf8.count <= maxUnitBytes else { return false }
        return processUnitSuffixes.contains { component.utf8.count > $0.utf8.count && component.hasSuffix($0) }
    }

    /// `user@UID.service`: a user's service manager, whose own units are below it.
    private static func isUserManager(_ component: Substring) -> Bool {
        guard component.hasPrefix("user@"), component.hasSuffix(".service") else { return false }
        let uid = component.utf8.dropFirst("user@".utf8.count).dropLast(".service".utf8.count)
        return !uid.isEmpty && uid.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// The container id a component names, if it names one.
    private static func containerID(in component: Substring) -> String? {
        if isContainerID(component.utf8) { return String(component) }
        for prefix in containerPrefixes where component.hasPrefix(prefix) {
            var id = component.utf8.dropFirst(prefix.utf8.count)
            if component.hasSuffix(".scope") { id = id.dropLast(".scope".utf8.count) }
            if isContainerID(id) { return String(Substring(id)) }
        }
        return nil
    }

    /// 64 lowercase hex digits: how Docker, containerd, CRI-O and Podman spell a container id.
    private static func isContainerID(_ bytes: Substring.UTF8View) -> Bool {
        bytes.count == 64 && bytes.allSatisfy {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
        }
    }
}
