// swift-tools-version: 6.0
import Foundation
import PackageDescription

/// Kernels run per pixel and per channel; unoptimised they make the conformance tests crawl. They are
/// compiled optimised even in debug builds so `swift test` stays fast while test code stays debuggable.
let optimisedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

/// The engine's vector loops (LayerNorm statistics, GELU/bias epilogues, im2col, gathers) compiled for x86-64-v3
/// (AVX2 + FMA + BMI2: every x86 server CPU since 2013) make a small model's tile 12 % faster than baseline
/// SSE2 code (docs/performance.md). Swift has no per-function multiversioning, so the whole `Tensor` module is
/// built that way and the binary checks the CPU before running any of it (`CPUSupport`), failing with a one-line
/// error instead of an illegal instruction. `MAXIM_PORTABLE=1 swift build` (after `rm -rf .build`) builds
/// baseline x86-64 code.
#if arch(x86_64)
let wantsPortable = ProcessInfo.processInfo.environment["MAXIM_PORTABLE"] == "1"
let vectorISA: [SwiftSetting] = wantsPortable ? [] : [.unsafeFlags(["-target-cpu", "haswell"]), .define("MAXIM_X86_64_V3")]
let vectorISACheck: [SwiftSetting] = wantsPortable ? [] : [.define("MAXIM_X86_64_V3")]
#else
let vectorISA: [SwiftSetting] = []
let vectorISACheck: [SwiftSetting] = []
#endif

let package = Package(
    name: "maxim-video",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "maxim-video", targets: ["maxim-video"]),
        // Entry points for the libFuzzer harnesses in fuzz/ (a separate package, built with sanitizers).
        .library(name: "FuzzTargets", targets: ["FuzzTargets"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
    ],
    targets: [
        // MARK: - System libraries

        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat libavcodec libavutil libswscale",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev", "libswscale-dev"])]
        ),
        .systemLibrary(
            name: "CDNNL",
            providers: [.apt(["libdnnl-dev"])]
        ),
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),

        // MARK: - Libraries

        .target(
            name: "MediaIO",
            dependencies: ["CFFmpeg", .product(name: "Logging", package: "swift-log")],
            swiftSettings: optimisedInDebug
        ),
        // The vector kernels of the thin paths — dense layers, spatial gather/scatter, narrow convolutions, resize
        // passes — in an AVX-512 and an AVX2 variant each, and the rounding to bf16 (C: per-function target
        // attributes let them sit in a binary that runs on any x86-64-v3 CPU; Swift has no such attribute).
        .target(
            name: "CVectorKernels",
            cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))]
        ),
        .target(
            name: "Tensor",
            dependencies: ["COpenBLAS", "CDNNL", "CVectorKernels"],
            swiftSettings: optimisedInDebug + vectorISA
        ),
        .target(
            name: "MaximModel",
            dependencies: ["Tensor", "ZIPFoundation"],
            swiftSettings: optimisedInDebug
        ),
        .target(
            name: "RestorationPipeline",
            dependencies: [
                "MediaIO", "Tensor", "MaximModel",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: optimisedInDebug
        ),
        .target(
            name: "PipelineConfig",
            dependencies: ["Yams"]
        ),
        .target(
            name: "QualityMetrics",
            dependencies: ["MediaIO"],
            swiftSettings: optimisedInDebug
        ),
        .target(
            name: "BatchMode",
            dependencies: ["PipelineConfig", "MediaIO", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "MaximVideoCLI",
            dependencies: [
                "MediaIO", "Tensor", "MaximModel", "RestorationPipeline", "PipelineConfig", "BatchMode", "QualityMetrics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "FuzzTargets", dependencies: ["MaximModel", "MediaIO"]),
        .executableTarget(
            name: "maxim-video",
            dependencies: ["MaximVideoCLI", "MediaIO", "Tensor"],
            swiftSettings: vectorISACheck
        ),

        // MARK: - Test support

        .target(
            name: "MaximTestSupport",
            dependencies: ["MediaIO", "Tensor"],
            path: "Tests/MaximTestSupport"
        ),

        // MARK: - Tests

        .testTarget(name: "MediaIOTests", dependencies: ["MediaIO", "MaximTestSupport"]),
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "MaximTestSupport"]),
        .testTarget(
            name: "MaximModelTests",
            dependencies: ["MaximModel", "Tensor", "MediaIO", "MaximTestSupport"],
            resources: []
        ),
        .testTarget(
            name: "RestorationPipelineTests",
            dependencies: ["RestorationPipeline", "MediaIO", "MaximModel", "MaximTestSupport"]
        ),
        .testTarget(name: "PipelineConfigTests", dependencies: ["PipelineConfig"]),
        .testTarget(name: "FuzzTargetsTests", dependencies: ["FuzzTargets", "MaximTestSupport"]),
        .testTarget(name: "BatchModeTests", dependencies: ["BatchMode", "MaximTestSupport"]),
        .testTarget(name: "QualityMetricsTests", dependencies: ["QualityMetrics", "MediaIO", "MaximTestSupport"]),
        .testTarget(
            name: "MaximVideoCLITests",
            dependencies: ["MaximVideoCLI", "MediaIO", "PipelineConfig", "Tensor", "MaximTestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
