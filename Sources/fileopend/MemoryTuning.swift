import CFileOpend

/// How the daemon keeps its anonymous memory (what it really costs: `RssAnon`, which the
/// benchmark measures with `RssShmem`) at what it uses.
///
/// - Start-up parses the kernel's BTF and the BPF object (several MiB) and frees them; without a
///   trim those heap pages stay resident for the daemon's lifetime: `trimAfterStartUp()`.
/// - A scrape builds its body (MiBs at 10 k+ processes) and frees it. glibc's default mmap
///   threshold rises after such a free, so later bodies would come from (and stay in) the heap:
///   a fixed threshold keeps every large buffer in its own mapping, returned to the kernel on free.
///
/// Code pages are left alone: they are clean, shared and file-backed, so unmapping them lowered
/// `VmRSS` but neither `RssAnon + RssShmem` nor the cgroup's charge (the page cache keeps them).
enum MemoryTuning {
    /// Buffers this large or larger get their own mapping (glibc's initial default, made fixed).
    static let mmapThreshold: Int32 = 128 * 1024

    /// At process start, before the first large allocation (`mallopt(M_MMAP_THRESHOLD)`).
    static func fixMmapThreshold() {
        _ = cfo_malloc_fix_mmap_threshold(mmapThreshold)
    }

    /// Once start-up is done: hands the freed heap back to the kernel (`malloc_trim(0)`).
    static func trimAfterStartUp() {
        _ = cfo_malloc_trim()
    }
}
