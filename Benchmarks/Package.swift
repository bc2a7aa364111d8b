// swift-tools-version:6.2
// Micro-benchmarks of TaoGate's hot paths (ordo-one/benchmark). A package of its own, so that
// the gateway's build and CI never compile the benchmark tool.
//
//   cd Benchmarks && swift package benchmark
import Foundation
import PackageDescription

/// The gateway's package, one folder up; its identity is that folder's name.
let gatewayFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

let package = Package(
    name: "TaoGateBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: gatewayFolder.path),
        // Only the malloc interposer: the runtime interposer is not needed (nor available here).
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: ["ConfigurationSupport"]),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        .executableTarget(
            name: "HotPaths",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "LLMClient", package: gatewayFolder.lastPathComponent),
                .product(name: "TaoGate", package: gatewayFolder.lastPathComponent),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/HotPaths",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The floor of TaoGate's stack: Hummingbird in, AsyncHTTPClient out, nothing else.
        .executableTarget(
            name: "BareProxy",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The floors under the transport: SwiftNIO alone, and Hummingbird with a NIO client.
        .executableTarget(
            name: "BareRelay",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
    ]
)
