// A fuzz target for the ring-buffer record decoder (DecodedProbeRecord) and the consumer's hot
// path behind it (a record read in place, counted into an aggregator): `make fuzz` runs it under
// libFuzzer; a plain build replays saved inputs (see FuzzDriver).
import FileOpenCore
import FileOpenProbe
import FuzzSupport

/// What the consumer thread keeps across records; small caps so eviction, the comm cap and the
/// top-paths cap run (and the unit cap). libFuzzer calls the target from one thread.
nonisolated(unsafe) private var aggregator = Aggregator(
    settings: AggregatorSettings(maxProcesses: 64, maxComms: 16, maxTopPathsProcesses: 8, maxUnits: 4)
)
nonisolated(unsafe) private var paths = KernelStringCache()

/// Decodes one input both ways and counts it as the consumer does. Any outcome but a crash is
/// fine: a record or a thrown BPFRecordError; the aggregator must stay within its caps.
/// Exported under libFuzzer's conventional name, which its runtime references.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRecordDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    _ = try? DecodedProbeRecord(bpfRecord: bytes)
    switch try? DecodedProbeRecord.view(of: bytes) {
    case .open(let open)?: aggregator.count(open) { paths.decode($0) }
    case .exit(let exit)?: aggregator.exited(exit.event)
    case .cgroup(let cgroup)?: aggregator.apply(cgroup.change)
    case nil: break
    }
    precondition(
        aggregator.processes.count <= 64 && aggregator.comms.count <= 17 && aggregator.units.namedCount <= 4, "caps exceeded"
    )
    return 0
}

@main
struct RecordDecoderFuzzer {
    static func main() throws {
        try FuzzDriver.main(fuzzRecordDecoder) { input in
            do {
                _ = try input.withUnsafeBytes { try DecodedProbeRecord(bpfRecord: $0) }
                return "decoded"
            } catch {
                return "rejected: \(error)"
            }
        }
    }
}
