// swift-tools-version: 6.1
// Micro-benchmarks of fileopend's hot units with package-benchmark (ordo-one/benchmark), apart from
// the main package so that `make test` never builds them. Run: `make bench-micro`, or
//   cd Benchmarks/Micro && swift package --scratch-path ../../.build-bench/micro benchmark
import PackageDescription

let package = Package(
    name: "fileopend-micro-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // TestHooks: the synthetic processes the /metrics rendering benchmarks are made of.
        .package(name: "fileopend", path: "../..", traits: ["TestHooks"]),
        // The malloc interposer gives the allocation counts (mallocCountTotal) a regression shows in.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "FileOpenBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "FileOpenInternals", package: "fileopend"),
            ],
            path: "Benchmarks/FileOpenBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
