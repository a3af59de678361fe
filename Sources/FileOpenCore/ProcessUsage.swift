/// The daemon process's resource use (from /proc/self): the standard `process_*` metrics of the
/// Prometheus client libraries.
public struct ProcessUsage: ComponentStatistics, Equatable {
    public var cpuSeconds: Double
    public var residentBytes: UInt64
    public var virtualBytes: UInt64
    public var openFileDescriptors: UInt64
    public var maxFileDescriptors: UInt64
    /// Seconds since the Unix epoch.
    public var startTimeSeconds: Double

    public init(
        cpuSeconds: Double, residentBytes: UInt64, virtualBytes: UInt64, openFileDescriptors: UInt64,
        maxFileDescriptors: UInt64, startTimeSeconds: Double
    ) {
        self.cpuSeconds = cpuSeconds
        self.residentBytes = residentBytes
        self.virtualBytes = virtualBytes
        self.openFileDescriptors = openFileDescriptors
        self.maxFileDescriptors = maxFileDescriptors
        self.startTimeSeconds = startTimeSeconds
    }

    public func writeMetrics(into writer: inout ExpositionWriter) {
        writer.family("process_cpu_seconds", .counter, help: "Total user and system CPU time spent in seconds.")
        writer.sample(cpuSeconds)
        writer.family("process_resident_memory_bytes", .gauge, help: "Resident memory size in bytes.")
        writer.sample(residentBytes)
        writer.family("process_virtual_memory_bytes", .gauge, help: "Virtual memory size in bytes.")
        writer.sample(virtualBytes)
        writer.family("process_open_fds", .gauge, help: "Number of open file descriptors.")
        writer.sample(openFileDescriptors)
        writer.family("process_max_fds", .gauge, help: "Maximum number of open file descriptors.")
        writer.sample(maxFileDescriptors)
        writer.family("process_start_time_seconds", .gauge, help: "Start time of the process since unix epoch in seconds.")
        writer.sample(startTimeSeconds)
    }
}
