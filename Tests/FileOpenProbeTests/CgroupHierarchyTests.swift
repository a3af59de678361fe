@testable import FileOpenProbe
import Testing

@Suite("The cgroup hierarchy found in mountinfo")
struct CgroupHierarchyTests {
    static let v1 = "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"

    @Test("unified, hybrid and legacy hosts; the preferred v2 mount; escaped mount points")
    func modes() {
        let unified = "30 23 0:27 / /sys/fs/cgroup rw,nosuid shared:9 - cgroup2 cgroup2 rw,nsdelegate\n"
        #expect(CgroupHierarchy.detect(mountinfo: unified) == CgroupHierarchy(mode: .unified, mountPoint: "/sys/fs/cgroup"))
        let hybrid = Self.v1 + "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
        #expect(CgroupHierarchy.detect(mountinfo: hybrid) == CgroupHierarchy(mode: .hybrid, mountPoint: "/sys/fs/cgroup/unified"))
        #expect(CgroupHierarchy.detect(mountinfo: Self.v1) == CgroupHierarchy(mode: .legacy, mountPoint: nil))
        #expect(CgroupHierarchy.detect(mountinfo: "") == CgroupHierarchy(mode: .legacy, mountPoint: nil))
        let namespaced = "50 1 0:40 /a/b /mnt/ns rw - cgroup2 none rw\n51 1 0:40 / /tmp/with\\040space rw - cgroup2 none rw\n"
        #expect(CgroupHierarchy.detect(mountinfo: namespaced) == CgroupHierarchy(mode: .unified, mountPoint: "/tmp/with space"),
                "a mount of the whole hierarchy first")
        #expect(CgroupHierarchy.detect(mountinfo: "50 1 0:40 /a/b /mnt/ns rw - cgroup2 none rw\n")
                == CgroupHierarchy(mode: .unified, mountPoint: "/mnt/ns", mountRoot: "/a/b"))
    }

    @Test("malformed lines are skipped; escapes that are not octal stay as they are")
    func malformed() {
        let text = "garbage\n - cgroup2\n1 2 3 4 5 - \n\n" + "9 9 0:1 / /x\\0\\8x\\1 rw - cgroup2 c rw\n"
        #expect(CgroupHierarchy.detect(mountinfo: text) == CgroupHierarchy(mode: .unified, mountPoint: "/x\\0\\8x\\1"))
        #expect(CgroupHierarchy.unescape("a\\011b\\134\\012") == "a\tb\\\n")
    }
}
