import BPF
@testable import FileOpenProbe
import FileOpenTestSupport
import Foundation
import Testing

/// The daemon's BPF program for every architecture it supports, not only the one that builds it:
/// `bpf/vmlinux_subset.h` has a `pt_regs` per architecture, and a type only one of them uses
/// (arm64's `s32`) once broke the arm64 object unnoticed on x86.
@Suite("The BPF program builds for x86 and arm64")
struct BPFObjectArchitectureTests {
    /// The `__TARGET_ARCH_*` values of the architectures the daemon supports (BPFCompilerPlugin's).
    static let architectures = ["x86", "arm64"]

    static let packageDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Compiles `bpf/fileopend.bpf.c` as BPFCompilerPlugin does (`clang -target bpf -g -O2 -Wall`),
    /// warnings as errors, with the toolchain's clang (the first on PATH, as `make test` sets it).
    static func compile(for architecture: String, into directory: URL) throws -> URL {
        let bpf = packageDirectory.appendingPathComponent("bpf")
        let object = directory.appendingPathComponent("fileopend-\(architecture).bpf.o")
        let clang = Process()
        clang.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        clang.arguments = [
            "clang", "-target", "bpf", "-g", "-O2", "-Wall", "-Werror", "-D__TARGET_ARCH_\(architecture)",
            "-I", bpf.path, "-c", bpf.appendingPathComponent("fileopend.bpf.c").path, "-o", object.path,
        ]
        let errors = Pipe()
        clang.standardError = errors
        try clang.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        clang.waitUntilExit()
        try #require(clang.terminationStatus == 0, "clang for \(architecture): \(message)")
        #expect(message.isEmpty, "clang for \(architecture) said: \(message)")
        return object
    }

    @Test("Each architecture's object compiles without a warning and has the same programs and maps")
    func everyArchitecture() throws {
        let directory = try TestEnvironment.makeScratchDirectory("bpfarch")
        defer { try? FileManager.default.removeItem(at: directory) }
        var shapes: [String: [String]] = [:]
        for architecture in Self.architectures {
            let path = try Self.compile(for: architecture, into: directory).path
            // Opened by libbpf (ELF, BTF and relocations parsed), not loaded: no kernel involved.
            let object = try BPFObject(path: path)
            defer { object.close() }
            let programs = try object.programNames.map { "\($0) in \(try object.program(named: $0).sectionName)" }
            shapes[architecture] = programs.sorted() + object.mapNames.sorted().map { "map \($0)" }
        }
        let x86 = try #require(shapes["x86"])
        #expect(x86.contains("kprobe_do_sys_openat2 in kprobe/do_sys_openat2"))
        for architecture in Self.architectures {
            #expect(shapes[architecture] == x86, "\(architecture) differs from x86")
        }
    }
}

/// The skeleton BPFCompilerPlugin generates from the compiled object (`BPFSkeleton`) names what
/// libbpf finds in it: the daemon's names are checked when it builds, not when it loads.
@Suite("The BPF skeleton matches the object")
struct BPFSkeletonTests {
    @Test("every program and map of the embedded object is in the skeleton, and nothing else")
    func matchesObject() throws {
        // Opened by libbpf, not loaded: no kernel involved.
        let object = try BPFObject(bytes: EmbeddedBPF.fileopend, name: "fileopend")
        defer { object.close() }
        #expect(BPFSkeleton.Fileopend.Program.all == object.programNames.sorted())
        // libbpf adds a map per data section (`fileopen.rodata`); the skeleton lists only .maps.
        #expect(BPFSkeleton.Fileopend.Map.all == object.mapNames.filter { !$0.contains(".") }.sorted())
        #expect(BPFSkeleton.Fileopend.Global.all == ["args_at_exit", "excluded_tgid", "wakeup_bytes"])
        #expect(FileOpenProgram.tracepointPrograms.count == 5, "open, openat, openat2, creat, open_by_handle_at")
    }
}
