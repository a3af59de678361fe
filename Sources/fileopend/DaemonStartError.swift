import FileOpenProbe
import FileOpenServer

/// Why the daemon could not start, with the exit status for each (sysexits.h).
enum DaemonStartError: Error, CustomStringConvertible {
    case listen(ServerError)
    case querySocket(ServerError)
    case probe(ProbeError)
    case printNeedsEvents

    var description: String {
        switch self {
        case .listen(let error): "cannot serve metrics: \(error)"
        case .querySocket(let error): "cannot serve queries: \(error)"
        case .probe(let error): "\(error)"
        case .printNeedsEvents:
            "--print needs detail_level events, and it is counts: set detail_level: events (or --detail-level events)"
        }
    }

    var exitCode: Int32 {
        switch self {
        case .printNeedsEvents: 78
        case .listen(.invalidListenAddress): 64
        case .listen, .querySocket: 69
        case .probe(let error): error.exitCode
        }
    }
}
