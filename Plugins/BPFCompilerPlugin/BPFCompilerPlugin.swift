import Foundation
import PackagePlugin

/// Compiles the BPF C programs of a target with `clang -target bpf -g -O2` (CO-RE), strips the
/// DWARF (BTF stays), and embeds the objects as `EmbeddedBPF.<name>` byte arrays, so that
/// `swift build` alone builds everything and no generated object is ever committed. It also
/// writes each object's skeleton (`BPFSkeleton.<Name>`: its map, program and global variable
/// names, from its symbol table), so a name the .bpf.c no longer has fails the Swift build.
///
/// Sources: the target's own `*.bpf.c` files if it has any (examples and test programs keep theirs
/// beside their Swift code), otherwise the package's `bpf/*.bpf.c` (the daemon's program).
@main
struct BPFCompilerPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        guard let module = target as? SourceModuleTarget else { return [] }
        let ownSources = try bpfSources(in: module.directoryURL)
        let sourceDirectory = ownSources.isEmpty
            ? context.package.directoryURL.appending(path: "bpf") : module.directoryURL
        let sources = ownSources.isEmpty ? try bpfSources(in: sourceDirectory) : ownSources
        guard !sources.isEmpty else {
            Diagnostics.error("BPFCompilerPlugin: no *.bpf.c in \(module.directoryURL.path) or bpf/")
            return []
        }
        // Every program may include the package's CO-RE header (bpf/vmlinux_subset.h), so its headers
        // and those beside the sources are inputs: editing the shared record header rebuilds.
        let packageHeaders = context.package.directoryURL.appending(path: "bpf")
        let headers = try Set([sourceDirectory, packageHeaders]).flatMap {
            try FileManager.default.contentsOfDirectory(at: $0, includingPropertiesForKeys: nil)
        }.filter { $0.pathExtension == "h" }

        let clang = try context.tool(named: "clang").url
        let objcopy = try context.tool(named: "llvm-objcopy").url
        let objdump = try context.tool(named: "llvm-objdump").url
        let skeleton = context.package.directoryURL.appending(path: "scripts/bpf-skeleton")
        let embed = context.package.directoryURL.appending(path: "scripts/embed-bpf-objects")
        let work = context.pluginWorkDirectoryURL

        var commands: [Command] = []
        var objects: [URL] = []
        for source in sources {
            let name = source.lastPathComponent.replacingOccurrences(of: ".bpf.c", with: "")
            let debugObject = work.appending(path: "\(name).debug.o")
            let object = work.appending(path: "\(name).bpf.o")
            commands.append(.buildCommand(
                displayName: "Compiling BPF program \(source.lastPathComponent)",
                executable: clang,
                arguments: [
                    "-target", "bpf", "-g", "-O2", "-Wall", "-D__TARGET_ARCH_\(Self.targetArch)",
                    "-I", sourceDirectory.path, "-I", packageHeaders.path, "-c", source.path, "-o", debugObject.path,
                ],
                inputFiles: [source] + headers,
                outputFiles: [debugObject]
            ))
            // BTF and BTF.ext are not debug sections, so CO-RE survives; DWARF would triple the size.
            commands.append(.buildCommand(
                displayName: "Stripping DWARF from \(name).bpf.o",
                executable: objcopy,
                arguments: ["--strip-debug", debugObject.path, object.path],
                inputFiles: [debugObject],
                outputFiles: [object]
            ))
            objects.append(object)
        }
        let output = work.appending(path: "EmbeddedBPF.swift")
        commands.append(.buildCommand(
            displayName: "Embedding BPF objects into \(module.name)",
            executable: URL(fileURLWithPath: "/bin/sh"),
            arguments: [embed.path, output.path] + objects.map(\.path),
            inputFiles: objects + [embed],
            outputFiles: [output]
        ))
        let skeletonOutput = work.appending(path: "BPFSkeleton.swift")
        commands.append(.buildCommand(
            displayName: "Writing the BPF skeleton of \(module.name)",
            executable: URL(fileURLWithPath: "/bin/sh"),
            arguments: [skeleton.path, skeletonOutput.path, objdump.path] + objects.map(\.path),
            inputFiles: objects + [skeleton],
            outputFiles: [skeletonOutput]
        ))
        return commands
    }

    private func bpfSources(in directory: URL) throws -> [URL] {
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.lastPathComponent.hasSuffix(".bpf.c") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// The `__TARGET_ARCH_*` that libbpf's bpf_tracing.h needs for PT_REGS_* on the build host.
    private static var targetArch: String {
        #if arch(x86_64)
        "x86"
        #elseif arch(arm64)
        "arm64"
        #else
        "unsupported"
        #endif
    }
}
