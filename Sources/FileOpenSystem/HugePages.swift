#if canImport(Glibc)
import Glibc
#endif

/// Transparent huge pages for large, freshly allocated buffers.
public enum HugePages {
    /// The x86-64 and arm64 (4 KiB granule) huge page: 2 MiB.
    public static let size = 2 << 20

    /// Asks for huge pages (`madvise(MADV_HUGEPAGE)`) over the 2 MiB-aligned part of the buffer at
    /// `start` of `capacity` bytes, if it holds two huge pages or more. A body of tens of MiB
    /// (`/metrics` at 100 k processes) is written into fresh memory on every scrape: in 4 KiB
    /// pages that is a page fault per 4 KiB, a third of the scrape; with huge pages a fault per
    /// 2 MiB. Only a hint, honoured when THP is `madvise` or `always`; a refusal changes nothing.
    public static func advise(_ start: UnsafeMutableRawPointer, capacity: Int) {
        guard capacity >= size * 2 else { return }
        let mask = size - 1
        let alignedStart = (Int(bitPattern: start) + mask) & ~mask
        let alignedEnd = (Int(bitPattern: start) + capacity) & ~mask
        guard alignedEnd > alignedStart, let aligned = UnsafeMutableRawPointer(bitPattern: alignedStart) else { return }
        _ = madvise(aligned, alignedEnd - alignedStart, MADV_HUGEPAGE)
    }
}
