extension Duration {
    /// The duration as `poll(2)`'s timeout: whole milliseconds rounded up (so the deadline has
    /// passed when poll times out), 0 for a negative duration, clamped to `Int32.max`.
    var pollMilliseconds: Int32 {
        guard self > .zero else { return 0 }
        let (seconds, attoseconds) = components
        let attosecondsPerMillisecond: Int64 = 1_000_000_000_000_000
        let milliseconds = seconds.multipliedReportingOverflow(by: 1000)
        guard !milliseconds.overflow else { return Int32.max }
        return Int32(clamping: milliseconds.partialValue
            + (attoseconds + attosecondsPerMillisecond - 1) / attosecondsPerMillisecond)
    }
}
