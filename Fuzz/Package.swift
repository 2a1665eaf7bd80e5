// swift-tools-version:6.0
// libFuzzer targets for the HTTP server's parsers and the image decoders. A separate package so the main build never
// sees `-sanitize=fuzzer`; build and run with `scripts/fuzz [seconds]`.
import PackageDescription

let package = Package(
    name: "Fuzz",
    dependencies: [
        .package(name: "ElasticClassifier", path: ".."),
    ],
    targets: [
        .target(name: "CFuzzerDriver"),
        .executableTarget(name: "FuzzHTTPDecoder", dependencies: [
            "CFuzzerDriver",
            .product(name: "HTTPServer", package: "ElasticClassifier"),
        ]),
        .executableTarget(name: "FuzzMultipart", dependencies: [
            "CFuzzerDriver",
            .product(name: "HTTPServer", package: "ElasticClassifier"),
        ]),
        .executableTarget(name: "FuzzWSFrames", dependencies: [
            "CFuzzerDriver",
            .product(name: "HTTPServer", package: "ElasticClassifier"),
        ]),
        .executableTarget(name: "FuzzImageDecoder", dependencies: [
            "CFuzzerDriver",
            .product(name: "Vision", package: "ElasticClassifier"),
        ]),
    ]
)
