// swift-tools-version: 6.0
// libFuzzer harnesses for maxim-video's parsers (not part of the product build; see fuzz/README.md).
import PackageDescription

let package = Package(
    name: "maxim-video-fuzz",
    dependencies: [.package(name: "maxim-video", path: "..")],
    targets: [
        .target(name: "FuzzDriver"),
        .executableTarget(
            name: "FuzzCheckpoint",
            dependencies: ["FuzzDriver", .product(name: "FuzzTargets", package: "maxim-video")]),
        .executableTarget(
            name: "FuzzMedia", dependencies: ["FuzzDriver", .product(name: "FuzzTargets", package: "maxim-video")]),
    ]
)
