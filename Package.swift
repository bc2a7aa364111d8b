// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// The gateway's own async functions run on their caller's executor (SE-0461) instead of hopping
/// to the generic one at every call: a `/v1` request made 56 executor checks (each a walk of the
/// task's status records under its lock), now 36. A connection's task prefers its event loop, so
/// where its code runs does not change. Functions that hand Hummingbird's body writer to a library
/// call are marked `@concurrent`. Tests and the mock keep the default (Swift Testing's macros do
/// not compile with it).
let gatewaySwiftSettings: [SwiftSetting] =
    swiftSettings + [
        .enableUpcomingFeature("NonisolatedNonsendingByDefault")
    ]

/// A release build of the server carries Swift's standard library, Foundation and the concurrency
/// runtime in its binary: calls into them (`swift_retain`, `swift_release`, the task allocator)
/// are direct rather than through the dynamic linker's tables, and a task-local or the current
/// executor is one thread-pointer load rather than a `__tls_get_addr` call: 1.07-1.11 x the
/// throughput of the same code linked dynamically (BENCHMARKS.md, "Sixteenth sitting"), and
/// less memory. Debug builds and tests link dynamically, as before. The libraries named are what
/// the static Foundation needs beyond the standard library's own link arguments (SwiftPM's
/// `--static-swift-stdlib` finds them too, but recompiles every module to do so).
let staticStandardLibrary: [LinkerSetting] = [
    .unsafeFlags(["-static-stdlib"], .when(platforms: [.linux], configuration: .release)),
    .linkedLibrary("CoreFoundation", .when(platforms: [.linux], configuration: .release)),
    .linkedLibrary("_FoundationICU", .when(platforms: [.linux], configuration: .release)),
    .linkedLibrary("_FoundationCollections", .when(platforms: [.linux], configuration: .release)),
    .linkedLibrary("_FoundationCShims", .when(platforms: [.linux], configuration: .release)),
]

/// Tests import what they use by module, without listing every module a member comes from.
let testSwiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "taogate",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "LLMClient", targets: ["LLMClient"]),
        .library(name: "TaoGate", targets: ["TaoGate"]),
        .library(name: "MockUpstream", targets: ["MockUpstream"]),
        .executable(name: "taogate", targets: ["taogate"]),
    ],
    traits: [
        .trait(
            name: "OTLP",
            description: "Export traces with OTLP/HTTP (swift-otel) when OTEL_EXPORTER_OTLP_ENDPOINT is set. Off by default: it adds minutes to a build."
        )
    ],
    dependencies: [
        // Traits are named explicitly: SwiftPM otherwise re-reads Hummingbird's defaults in a
        // random order and recompiles it after every edit of this file.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: ["ConfigurationSupport"]),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: [.defaults]),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.34.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        .target(
            name: "LLMClient",
            dependencies: [
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
            ],
            swiftSettings: gatewaySwiftSettings
        ),
        .target(
            name: "TaoGate",
            dependencies: [
                "LLMClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            resources: [.copy("Resources/openapi.yaml"), .copy("Resources/chat"), .copy("Resources/console")],
            swiftSettings: gatewaySwiftSettings
        ),
        .target(
            name: "MockUpstream",
            dependencies: [
                "LLMClient",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "taogate",
            dependencies: [
                "TaoGate",
                "MockUpstream",
                "LLMClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "OTel", package: "swift-otel", condition: .when(traits: ["OTLP"])),
            ],
            swiftSettings: gatewaySwiftSettings,
            linkerSettings: staticStandardLibrary
        ),
        .testTarget(
            name: "LLMClientTests",
            dependencies: ["LLMClient"],
            swiftSettings: testSwiftSettings
        ),
        .testTarget(
            name: "TaoGateTests",
            dependencies: [
                "TaoGate",
                "MockUpstream",
                "LLMClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: testSwiftSettings
        ),
    ]
)
