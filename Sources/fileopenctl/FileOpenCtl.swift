import FileOpenCore
import FileOpenCtlKit
#if canImport(Glibc)
import Glibc
#endif

/// `fileopenctl`: the client of fileopend's query socket.
@main
enum FileOpenCtl {
    /// Parses the command line (`CtlArguments`), runs, and exits with the contract's statuses: 0,
    /// a `ClientError`'s own, 2 for a usage error, 1 for anything else.
    static func main() {
        let shell = getenv("SHELL").map { String(cString: $0) }
        let invocation: CtlInvocation
        do {
            invocation = try CtlArguments.parse(Array(CommandLine.arguments.dropFirst()), shellPath: shell)
        } catch {
            Console.note(error.description)
            Glibc.exit(2)
        }
        do {
            switch invocation {
            case .help(let text):
                Console.print([text])
            case .version:
                Console.print([FileOpenVersion.current])
            case .completionScript(let shell):
                Console.print([shell.script])
            case .run(let command, let socket, let json):
                try run(command, GlobalOptions(socket: socket, json: json))
            }
        } catch let error as ClientError {
            Console.flush()
            Console.error(error.description)
            Glibc.exit(error.exitCode)
        } catch {
            Console.flush()
            Console.error("\(error)")
            Glibc.exit(1)
        }
        Console.flush()
        Glibc.exit(0)
    }

    private static func run(_ command: CtlCommand, _ global: GlobalOptions) throws {
        switch command {
        case .status: try StatusCommand(global: global).run()
        case .top(let request, let watch): try TopCommand(global: global, request: request, watch: watch).run()
        case .proc(let pid): try ProcCommand(global: global, pid: pid).run()
        case .tail(let request): try TailCommand(global: global, request: request).run()
        case .reset: try ResetCommand(global: global).run()
        }
    }
}
