// swift-tools-version:6.0
// ElasticClassifier: an auto-scaling image-classification service (web tier, app tier,
// our own AWS client). Swift 6 language mode throughout (the tools version sets it).
import PackageDescription

// The resampler and PNG unfilter multiply 32-bit lanes; baseline x86-64 (SSE2) has no such
// instruction and emulates it with shuffles. Nehalem's SSE4.1/4.2 (every x86 EC2 instance type
// and any x86 machine since 2009) has it. Other architectures keep their defaults.
#if arch(x86_64)
let visionCodegen: [SwiftSetting] = [.unsafeFlags(["-Xfrontend", "-target-cpu", "-Xfrontend", "nehalem"])]
#else
let visionCodegen: [SwiftSetting] = []
#endif

let package = Package(
    name: "ElasticClassifier",
    // Linux only (no `platforms` entry names it): the servers use Glibc and epoll, the worker
    // fleet posix_spawn, and the AWS client libcurl from the distribution.
    products: [
        .executable(name: "webtier", targets: ["WebTierCommand"]),
        .executable(name: "apptier", targets: ["AppTierCommand"]),
        .executable(name: "classify", targets: ["ClassifyCommand"]),
        .executable(name: "loadgen", targets: ["LoadGenCommand"]),
        .executable(name: "scalesim", targets: ["ScaleSimCommand"]),
        .executable(name: "provision", targets: ["ProvisionCommand"]),
        // Plays the cloud for the EC2 fleet on one machine (scripts/ec2-sim).
        .executable(name: "ec2sim", targets: ["EC2SimRunner"]),
        // A fault-injecting proxy in front of moto (scripts/chaos).
        .executable(name: "faultproxy", targets: ["FaultProxyRunner"]),
        // For the separate Fuzz/ package, which depends on this one by path.
        .library(name: "HTTPServer", targets: ["HTTPServer"]),
        .library(name: "Vision", targets: ["Vision"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // MARK: C shims: the only C surface (module maps, typed wrappers for variadic/macro APIs).
        .systemLibrary(name: "CCurl", path: "Sources/CShims/CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CCrypto", path: "Sources/CShims/CCrypto", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CShims/CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        // epoll + eventfd for HTTPServer's SocketPool (Glibc's module does not export them).
        .systemLibrary(name: "CEpoll", path: "Sources/CShims/CEpoll"),
        .systemLibrary(name: "CDeflate", path: "Sources/CShims/CDeflate", pkgConfig: "libdeflate",
                       providers: [.apt(["libdeflate-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CShims/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        // libjpeg's API with its longjmp errors turned into return codes (it has no pkg-config file
        // on Debian; libjpeg-dev installs it).
        .target(name: "CJPEG", path: "Sources/CShims/CJPEG", linkerSettings: [.linkedLibrary("jpeg")]),
        // Our own minimal ONNX Runtime header; the library itself is dlopen'ed at run time.
        .target(name: "COnnxRuntime", path: "Sources/CShims/COnnxRuntime",
                linkerSettings: [.linkedLibrary("dl")]),

        // MARK: Libraries (layers: no module reaches "up").
        // Foundation only: the seams, messages and configuration (`classify` links no AWS code).
        .target(name: "Pipeline"),
        // The seams' SQS/S3 implementations, the AWS clients built from the configuration, and
        // start-up provisioning.
        .target(name: "AWSBackends", dependencies: ["AWS", "Pipeline"]),
        .target(name: "AWS", dependencies: [
            "CCurl", "CCrypto", "CDeflate",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "HTTPServer", dependencies: [
            "CCrypto", "CZlib", "CEpoll",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Vision", dependencies: ["CJPEG", "CPNG", "CDeflate", "COnnxRuntime", "Pipeline"],
                swiftSettings: visionCodegen),
        // posix_spawn with the signal mask reset (the local fleet's workers, the tests' servers).
        .target(name: "ProcessSpawn"),
        .target(name: "WebTier", dependencies: [
            "HTTPServer", "AWS", "AWSBackends", "Pipeline", "ProcessSpawn",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The autoscaling simulator: drives WebTier's real scaling rule in simulated time.
        .target(name: "ScaleSim", dependencies: ["WebTier", "Pipeline"]),
        // Creates and removes a deployment's AWS resources (buckets, queues, roles, groups).
        .target(name: "Provisioning", dependencies: ["AWS", "AWSBackends", "Pipeline"]),
        .target(name: "AppTier", dependencies: [
            "AWS", "AWSBackends", "Vision", "Pipeline", "HTTPServer",
            .product(name: "Logging", package: "swift-log"),
        ]),

        // MARK: Executables (they only wire).
        .target(name: "CommandSupport", dependencies: [
            "Pipeline",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Sources/Commands/Support"),
        .executableTarget(name: "WebTierCommand", dependencies: [
            "CommandSupport", "WebTier", "Pipeline", "AWS", "AWSBackends", "ProcessSpawn",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Sources/Commands/webtier"),
        .executableTarget(name: "AppTierCommand", dependencies: [
            "CommandSupport", "AppTier", "Pipeline", "Vision",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Sources/Commands/apptier"),
        .executableTarget(name: "ClassifyCommand", dependencies: [
            "Vision", "Pipeline",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Sources/Commands/classify"),
        .executableTarget(name: "ProvisionCommand", dependencies: [
            "CommandSupport", "Provisioning", "Pipeline", "AWSBackends",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Sources/Commands/provision"),
        .executableTarget(name: "LoadGenCommand", dependencies: [
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Sources/Commands/loadgen"),
        .executableTarget(name: "ScaleSimCommand", dependencies: [
            "ScaleSim", "Pipeline", "TestSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Sources/Commands/scalesim"),

        // MARK: Benchmarks (commands, not tests: `scripts/bench`).
        .executableTarget(name: "AWSBench", dependencies: [
            "AWS", "TestSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Benchmarks/AWSBench"),
        .executableTarget(name: "HTTPBench", dependencies: [
            "HTTPServer",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Benchmarks/HTTPBench"),
        // Our event loops and tasks with no HTTP work: the floor under a small request's cost.
        .executableTarget(name: "HTTPFloorServer", dependencies: ["HTTPServer"], path: "Benchmarks/HTTPFloorServer"),
        .executableTarget(name: "VisionBench", dependencies: [
            "Vision", "Pipeline",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Benchmarks/VisionBench"),

        // MARK: Tests.
        // A small server with test routes, for the Python-driven tests and scripts/bench-http.
        .executableTarget(name: "HTTPTestServer", dependencies: [
            "HTTPServer", "CZlib",
            .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/HTTPTestServer"),
        // apptier with a delaying classifier, for the tests that stop or kill a worker mid-job.
        .executableTarget(name: "SlowAppTier", dependencies: [
            "AppTier", "CommandSupport", "Pipeline",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/SlowAppTier"),
        .target(name: "TestSupport", dependencies: ["AWS", "Pipeline", "ProcessSpawn"], path: "Tests/TestSupport"),
        // EC2Simulator as a command: real apptiers for the instances a web tier launches in moto.
        .executableTarget(name: "EC2SimRunner", dependencies: [
            "AWS", "TestSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Tests/EC2SimRunner"),
        // FaultProxy as a command: delays, resets and 503s between the tiers and moto.
        .executableTarget(name: "FaultProxyRunner", dependencies: [
            "TestSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Tests/FaultProxyRunner"),
        // libjpeg's encoder for the decoder's tests (sampling factors and scan layouts Pillow cannot write).
        .target(name: "JPEGTestEncoder", path: "Tests/JPEGTestEncoder", linkerSettings: [.linkedLibrary("jpeg")]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "AWSBackends", "AWS", "TestSupport"]),
        .testTarget(name: "AWSTests", dependencies: ["AWS", "TestSupport"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "TestSupport"]),
        // A real server with WebSocket routes for the Python/Chromium tests and scripts/bench-ws.
        .executableTarget(name: "WSTestServer", dependencies: ["HTTPServer"], path: "Tests/WSTestServer"),
        // WebSocket inbound-path throughput (scripts/bench-ws).
        .executableTarget(name: "WSBench", dependencies: ["HTTPServer"], path: "Benchmarks/WSBench"),
        .testTarget(name: "VisionTests", dependencies: ["Vision", "Pipeline", "CDeflate", "TestSupport", "JPEGTestEncoder"],
                    exclude: ["Fixtures/make_image_fixtures.py", "Fixtures/make_tiny_model.py"]),
        .testTarget(name: "WebTierTests", dependencies: ["WebTier", "AWSBackends", "TestSupport"]),
        .testTarget(name: "AppTierTests", dependencies: ["AppTier", "AWSBackends", "TestSupport"]),
        .testTarget(name: "ScaleSimTests", dependencies: ["ScaleSim", "WebTier", "Pipeline", "TestSupport"]),
        .testTarget(name: "ProvisioningTests", dependencies: ["Provisioning", "AWS", "AWSBackends", "Pipeline", "WebTier", "TestSupport"]),
    ]
)
