import CFileOpend

/// How the daemon keeps its resident memory at what it really uses.
///
/// - Start-up parses the kernel's BTF and the BPF object (several MiB) and frees them; without a
///   trim those pages stay resident for the daemon's lifetime: `trimAfterStartUp()`.
/// - Start-up also runs code that never runs again (argument and configuration parsing, BTF and
///   BPF object loading, Foundation's and the runtime's first-use set-up): some 9 MiB of the
///   binary's pages and 3 MiB of its libraries', mapped 64 KiB at a time by the kernel's
///   fault-around. Once started the daemon unmaps the read-only segments of its executable and
///   libraries (`madvise(MADV_DONTNEED)`); the pages stay in the page cache and what runs again
///   faults back in, so the resident set is what the running daemon uses: `trimAfterStartUp()`.
/// - A scrape builds its body (MiBs at 10 k+ processes) and frees it. glibc's default mmap
///   threshold rises after such a free, so later bodies would come from (and stay in) the heap:
///   a fixed threshold keeps every large buffer in its own mapping, returned to the kernel on free.
enum MemoryTuning {
    /// Buffers this large or larger get their own mapping (glibc's initial default, made fixed).
    static let mmapThreshold: Int32 = 128 * 1024

    /// At process start, before the first large allocation (`mallopt(M_MMAP_THRESHOLD)`).
    static func fixMmapThreshold() {
        _ = cfo_malloc_fix_mmap_threshold(mmapThreshold)
    }

    /// Once start-up is done: hands the freed heap back to the kernel (`malloc_trim(0)`) and
    /// unmaps the code and constant pages of the executable and its libraries
    /// (`cfo_release_code_pages`).
    static func trimAfterStartUp() {
        _ = cfo_malloc_trim()
        // Ignored on failure (it cannot fail on our own mappings short of a kernel refusing
        // madvise): the daemon runs the same, only with a larger resident set.
        _ = cfo_release_code_pages()
    }
}
