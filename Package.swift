// swift-tools-version: 6.1
import PackageDescription

/// Strict Swift 6 everywhere; warnings are treated as defects by review, not by the compiler,
/// so a new toolchain's new warning cannot break a user's build.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "fileopend",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "fileopend", targets: ["fileopend"]),
        .executable(name: "fileopenctl", targets: ["fileopenctl"]),
        .library(name: "BPF", targets: ["BPF"]),
        // For Benchmarks/Micro (package-benchmark) only: the hot units it measures; not a stable API.
        .library(
            name: "FileOpenInternals",
            targets: ["FileOpenCore", "FileOpenSystem", "FileOpenProbe", "FileOpenServer", "CFileOpend"]
        ),
    ],
    // Behaviour that exists only for tests and the benchmark is compiled in only with this trait
    // (`#if TestHooks`): `make test` builds with it (`--traits TestHooks`), as does the benchmark's
    // own instrumented build; `make run`, `make release`, `make deb` and vmtest's build never do, so
    // a shipped binary holds none of it.
    traits: [
        .trait(
            name: "TestHooks",
            description: "Test-only controls: FILEOPEND_TEST_FREEZE_CONSUMER_AFTER/_FOR and FILEOPEND_TEST_SYNTHETIC_PROCESSES"
        ),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // YAML alone: the default trait, JSON, would link JSONSerialization and with it corelibs
        // Foundation and ICU (docs/binary-size.md); no JSON configuration is read.
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: ["YAML"]),
        // Read directly only to list a file's keys (unknown ones are refused) and to word YAML errors.
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // System libraries (module maps only).
        .systemLibrary(name: "CLibbpf", pkgConfig: "libbpf", providers: [.apt(["libbpf-dev", "libelf-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        // TLS for the metrics listener, and bcrypt for its basic authentication (docs/tls.md).
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CCrypt", pkgConfig: "libxcrypt", providers: [.apt(["libcrypt-dev"])]),

        // The record ABI shared with the kernel program, plus the few Linux calls Swift cannot make.
        .target(name: "CFileOpend"),

        // The build-tool plugin that compiles *.bpf.c with clang -target bpf and embeds the objects.
        .plugin(name: "BPFCompilerPlugin", capability: .buildTool()),

        // Swift API over libbpf, general purpose.
        .target(
            name: "BPF",
            dependencies: ["CLibbpf", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),

        // Pure Swift model: no C, no sockets, no libbpf.
        .target(name: "FileOpenCore", swiftSettings: swiftSettings),

        // What the probe, the servers and the daemon need of the OS beyond sockets and BPF: threads
        // of their own for blocking loops, huge pages for large buffers.
        .target(name: "FileOpenSystem", dependencies: ["CFileOpend"], swiftSettings: swiftSettings),

        // The file-open program: attach modes, record decoding, drop counters, the consumer thread.
        .target(
            name: "FileOpenProbe",
            dependencies: [
                "BPF", "CFileOpend", "FileOpenCore", "FileOpenSystem", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["BPFCompilerPlugin"]
        ),

        // POSIX-socket servers: HTTP (/metrics), later the Unix query socket and systemd activation.
        .target(
            name: "FileOpenServer",
            dependencies: [
                "FileOpenCore", "FileOpenSystem", "CFileOpend", "CZlib", "CSystemd", "COpenSSL", "CCrypt",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // config/fileopend.yaml, FILEOPEND_* variables and flags → one validated configuration.
        .target(
            name: "FileOpenConfiguration",
            dependencies: [
                "FileOpenCore", "FileOpenServer",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "fileopend",
            dependencies: [
                "FileOpenProbe", "FileOpenCore", "FileOpenSystem", "FileOpenServer", "FileOpenConfiguration", "CFileOpend",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),

        // The query-socket client: formatting and the socket in a library its tests can import.
        .target(name: "FileOpenCtlKit", dependencies: ["FileOpenCore"], swiftSettings: swiftSettings),
        // No swift-argument-parser here: it links FoundationEssentials, 7.5 MB of a 15 MB binary that
        // needs none of it (docs/binary-size.md); FileOpenCtlKit's CtlArguments reads the command line.
        .executableTarget(name: "fileopenctl", dependencies: ["FileOpenCtlKit", "FileOpenCore"], swiftSettings: swiftSettings),

        // The classic RingSample program, ported to the BPF library.
        .executableTarget(
            name: "RingSample",
            dependencies: ["BPF"],
            path: "Examples/RingSample",
            exclude: ["ringsample.bpf.c"],
            swiftSettings: swiftSettings,
            plugins: ["BPFCompilerPlugin"]
        ),

        // libFuzzer targets (`make fuzz`, and briefly in `make test`); a plain build makes replayers of
        // saved inputs. Each target's corpus/ holds its committed seeds and the inputs of every crash
        // found (regression-*), which `swift test` replays (Tests/EndToEndTests/FuzzCorpusTests).
        .target(name: "FuzzSupport", path: "Fuzz/FuzzSupport", swiftSettings: swiftSettings),
        .executableTarget(
            name: "RecordDecoderFuzzer",
            dependencies: ["FileOpenProbe", "FileOpenCore", "FuzzSupport"],
            path: "Fuzz/RecordDecoderFuzzer",
            exclude: ["corpus"],
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "HTTPRequestFuzzer",
            dependencies: ["FileOpenServer", "FuzzSupport"],
            path: "Fuzz/HTTPRequestFuzzer",
            exclude: ["corpus"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ConfigurationFuzzer",
            dependencies: ["FileOpenConfiguration", "FuzzSupport"],
            path: "Fuzz/ConfigurationFuzzer",
            exclude: ["corpus"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "WebConfigurationFuzzer",
            dependencies: ["FileOpenConfiguration", "FileOpenServer", "FuzzSupport"],
            path: "Fuzz/WebConfigurationFuzzer",
            exclude: ["corpus"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "QueryRequestFuzzer",
            dependencies: ["FileOpenCore", "FuzzSupport"],
            path: "Fuzz/QueryRequestFuzzer",
            exclude: ["corpus"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "CtlArgumentsFuzzer",
            dependencies: ["FileOpenCtlKit", "FileOpenCore", "FuzzSupport"],
            path: "Fuzz/CtlArgumentsFuzzer",
            exclude: ["corpus"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "QueryReplyFuzzer",
            dependencies: ["FileOpenCtlKit", "FileOpenCore", "FuzzSupport"],
            path: "Fuzz/QueryReplyFuzzer",
            exclude: ["corpus"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "FilterRuleFuzzer",
            dependencies: ["FileOpenCore", "FuzzSupport"],
            path: "Fuzz/FilterRuleFuzzer",
            exclude: ["corpus"],
            swiftSettings: swiftSettings
        ),

        // Helpers the test targets share: when kernel tests run, scratch directories, polling.
        .target(
            name: "FileOpenTestSupport",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        // Raw system calls for tests (each open syscall as named, per-thread credentials, a forked opener).
        .target(name: "CTestSupport", path: "Tests/CTestSupport"),
        .testTarget(
            name: "BPFTests",
            dependencies: ["BPF", "CFileOpend", "FileOpenTestSupport"],
            exclude: ["testprograms.bpf.c"],
            swiftSettings: swiftSettings,
            plugins: ["BPFCompilerPlugin"]
        ),
        .testTarget(
            name: "FileOpenCoreTests",
            dependencies: ["FileOpenCore", "FileOpenSystem", "FileOpenTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FileOpenSystemTests",
            dependencies: ["FileOpenSystem", "FileOpenTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FileOpenProbeTests",
            dependencies: [
                "FileOpenProbe", "FileOpenCore", "FileOpenSystem", "BPF", "CFileOpend", "CTestSupport",
                "FileOpenTestSupport",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FileOpenConfigurationTests",
            dependencies: ["FileOpenConfiguration", "FileOpenServer", "FileOpenTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FileOpenServerTests",
            dependencies: ["FileOpenServer", "FileOpenCore", "FileOpenSystem", "FileOpenTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FileOpenCtlTests",
            // fileopenctl itself, so that `swift test` alone builds the binary the tests run.
            dependencies: ["FileOpenCtlKit", "FileOpenTestSupport", "fileopenctl"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["CTestSupport", "FileOpenTestSupport"],
            swiftSettings: swiftSettings
        ),
    ]
)
