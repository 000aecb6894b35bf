// swift-tools-version: 6.1
import PackageDescription

/// Steadfast: a LiveKit agent worker with its own WebRTC stack and provider fallback chains.
///
/// Layering follows `README.md` § Architecture: C bindings → wrappers → protocol → runtime → app.
/// Lower targets never import higher ones.
let package = Package(
    name: "Steadfast",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "steadfast", targets: ["steadfast"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
    ],
    targets: [
        // MARK: C bindings (declarations only; Debian -dev packages)
        .systemLibrary(
            name: "COpus", pkgConfig: "opus",
            providers: [.apt(["libopus-dev"])]),
        .systemLibrary(
            name: "COpenSSL", pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]),
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CWebSockets", pkgConfig: "libwebsockets",
            providers: [.apt(["libwebsockets-dev"])]),
        .systemLibrary(
            name: "CSRTP", pkgConfig: "libsrtp2",
            providers: [.apt(["libsrtp2-dev"])]),
        .systemLibrary(
            name: "CSpeexDSP", pkgConfig: "speexdsp",
            providers: [.apt(["libspeexdsp-dev"])]),
        .systemLibrary(
            name: "CEspeakNG", pkgConfig: "espeak-ng",
            providers: [.apt(["libespeak-ng-dev"])]),
        .systemLibrary(
            name: "CPocketSphinx", pkgConfig: "pocketsphinx",
            providers: [.apt(["libpocketsphinx-dev", "pocketsphinx-en-us"])]),
        /// WebRTC's C voice activity detector; the benchmark's comparison baseline only (issue 5 §3).
        .systemLibrary(
            name: "CWebRTCVAD", pkgConfig: "webrtc-audio-processing",
            providers: [.apt(["libwebrtc-audio-processing-dev"])]),
        /// Compiled wrappers for what Swift cannot import: function-like macros and variadic `*_ctl` calls.
        .target(name: "CShims", dependencies: ["COpus", "COpenSSL", "CCurl", "CWebSockets"]),

        // MARK: Swift wrappers and protocol
        /// The protocol-core convention (`ProtocolCore`) and the driver plumbing every session shares:
        /// one ordered input queue (`SessionInbox`) and bounded drop-oldest audio (`DropOldestBuffer`).
        .target(name: "SansIO"),
        /// WebRTC data channels' transport: a sans-IO SCTP association (RFC 9260, 3758, 6525) and DCEP (RFC 8832).
        .target(name: "SCTP", dependencies: ["SansIO"]),
        .target(name: "OpenSSLCrypto", dependencies: ["COpenSSL"]),
        .target(
            name: "LiveKitProtocol",
            dependencies: [
                "OpenSSLCrypto",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            exclude: ["Generated/README.md"]),
        .target(
            name: "Audio",
            dependencies: ["COpus", "CShims", "CSpeexDSP"],
            // Optimized even in debug builds: the VAD's FFT runs 100 times a second per session, and
            // unoptimized it would make every debug run and the test suite crawl.
            swiftSettings: [.unsafeFlags(["-O"])]),
        .target(
            name: "RTC",
            dependencies: ["COpenSSL", "CSRTP", "CShims", "OpenSSLCrypto", "SansIO", "SCTP", .product(name: "Logging", package: "swift-log")],
            // Optimized even in debug builds, like Audio: the packet path runs 50 times a second per stream,
            // and `swift test` asserts it allocates nothing per packet, which holds only for optimized code.
            swiftSettings: [.unsafeFlags(["-O"])]),
        /// Runs a PeerConnection on real UDP sockets with Opus in and out (the glue of RTC, Audio and Transport).
        .target(
            name: "Media",
            dependencies: ["RTC", "Audio", "Transport", "SansIO", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "Transport",
            dependencies: ["CCurl", "CShims", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "Providers",
            dependencies: ["Transport", "SteadfastConfig", "Audio", "SansIO", .product(name: "Logging", package: "swift-log"),
                           .product(name: "Metrics", package: "swift-metrics")]),
        /// Local speech engines: the never-fail tails of the STT and TTS chains.
        .target(
            name: "LocalSpeech",
            dependencies: ["Providers", "Audio", "CPocketSphinx", "CEspeakNG", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "Agents",
            dependencies: ["Providers", "Transport", "SteadfastConfig", .product(name: "Logging", package: "swift-log"),
                           .product(name: "Yams", package: "Yams")]),
        /// The LiveKit client: the `/agent` worker protocol, signalling and rooms. Its WebSocket is
        /// libwebsockets over the system OpenSSL (one TLS library in the process).
        .target(
            name: "LiveKit",
            dependencies: ["LiveKitProtocol", "SteadfastConfig", "Media", "RTC", "Audio", "SansIO",
                           "CWebSockets", "COpenSSL", "CShims",
                           .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                           .product(name: "Logging", package: "swift-log")]),
        /// The embedded LiveKit-compatible server (`steadfast server`, `dev` without LIVEKIT_URL): `/rtc`
        /// signalling, `/agent` job dispatch, Twirp RoomService and an audio/data SFU, on swift-nio alone.
        .target(
            name: "LiveKitServer",
            dependencies: ["LiveKit", "LiveKitProtocol", "OpenSSLCrypto", "RTC", "Media", "SansIO",
                           .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOWebSocket", package: "swift-nio"),
                           .product(name: "Logging", package: "swift-log")]),
        /// The worker process: LiveKit jobs running agent sessions in rooms.
        .target(
            name: "AgentWorker",
            dependencies: ["LiveKit", "LiveKitProtocol", "Voice", "Agents", "Providers", "Audio", "SteadfastConfig",
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "Metrics", package: "swift-metrics"),
                           .product(name: "Prometheus", package: "swift-prometheus"),
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "NIOHTTP1", package: "swift-nio")]),
        /// The voice pipeline: turn detection, STT → agent/tools/LLM → TTS, barge-in, metrics.
        .target(
            name: "Voice",
            dependencies: ["Agents", "Providers", "Audio", .product(name: "Logging", package: "swift-log"),
                           .product(name: "Metrics", package: "swift-metrics")]),
        .target(
            name: "SteadfastConfig",
            dependencies: [.product(name: "Logging", package: "swift-log"), .product(name: "Yams", package: "Yams")]),

        // MARK: Command line (wiring only)
        .executableTarget(
            name: "steadfast",
            dependencies: [
                "LiveKitProtocol",
                "LiveKit",
                "AgentWorker",
                "LiveKitServer",
                "Agents",
                "Voice",
                "LocalSpeech",
                "Media",
                "RTC",
                "Audio",
                "SteadfastConfig",
                "Providers",
                "Transport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // MARK: Benchmarks (run with `swift run -c release steadfast-bench`; not part of `make test`)
        .executableTarget(
            name: "steadfast-bench",
            dependencies: [
                "Providers", "Transport", "TestSupport", "RTC", "Audio",
                // The voice-pipeline benchmarks drive a real AgentSession on espeak speech.
                "Voice", "Agents", "LocalSpeech",
                // The bare-C baselines of the media benchmarks call libopus and libsrtp directly.
                "COpus", "CSRTP", "CShims",
                // The VAD-choice benchmark compares our detector with WebRTC's.
                "CWebRTCVAD",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/SteadfastBench"),

        // MARK: Fuzzing (docs/fuzzing.md; `scripts/fuzz` builds the libFuzzer binary in .build-fuzz)
        /// One function per parser of outside bytes; run by libFuzzer, by replay, and by FuzzRegressionTests.
        .target(
            name: "FuzzTargets",
            dependencies: ["RTC", "SCTP", "Transport", "Providers", "Agents", "SteadfastConfig", "Audio", "LiveKit",
                           "LiveKitProtocol", "OpenSSLCrypto", "TestSupport",
                           .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                           .product(name: "Logging", package: "swift-log")],
            path: "Fuzz/FuzzTargets"),
        /// Replays inputs in normal builds; with `-sanitize=fuzzer -DFUZZING` it is the libFuzzer binary.
        .executableTarget(name: "steadfast-fuzz", dependencies: ["FuzzTargets"], path: "Fuzz/steadfast-fuzz"),

        // MARK: Tests
        .testTarget(
            name: "CBindingsTests",
            dependencies: ["COpus", "COpenSSL", "CCurl", "CWebSockets", "CSRTP", "CShims", "TestSupport"]),
        .testTarget(name: "OpenSSLCryptoTests", dependencies: ["OpenSSLCrypto"]),
        .testTarget(name: "SansIOTests", dependencies: ["SansIO"]),
        .testTarget(name: "SCTPTests", dependencies: ["SCTP", "SansIO"], exclude: ["Spike", "python", "pion"]),
        .testTarget(
            name: "LiveKitProtocolTests",
            dependencies: ["LiveKitProtocol", "OpenSSLCrypto", "TestSupport"],
            exclude: ["python"]),
        .testTarget(
            name: "SteadfastConfigTests",
            dependencies: ["SteadfastConfig", "TestSupport", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "TransportTests", dependencies: ["Transport", "TestSupport"]),
        .testTarget(name: "AgentsTests", dependencies: ["Agents", "Providers", "Transport", "TestSupport"]),
        .testTarget(name: "AudioTests", dependencies: ["Audio", "TestSupport"]),
        .testTarget(name: "AgentWorkerTests", dependencies: ["AgentWorker", "Transport", "SteadfastConfig", "TestSupport",
                                                           .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "LiveKitTests", dependencies: ["LiveKit", "LiveKitProtocol", "SteadfastConfig", "TestSupport"],
                    exclude: ["python"]),
        .testTarget(name: "LiveKitServerTests", dependencies: ["LiveKitServer", "LiveKitProtocol", "OpenSSLCrypto", "TestSupport"],
                    exclude: ["python"]),
        .testTarget(
            name: "VoiceTests",
            dependencies: ["Voice", "Agents", "Providers", "Audio", "LocalSpeech", "TestSupport",
                           .product(name: "Logging", package: "swift-log")]),
        /// Steadfast's media plane against independent WebRTC peers (aiortc, pion), driven as subprocesses.
        .testTarget(name: "InteropTests", dependencies: ["Audio", "LiveKit", "LiveKitProtocol", "RTC", "Transport", "TestSupport", "steadfast"]),
        .testTarget(name: "RTCTests", dependencies: ["RTC", "Audio", "OpenSSLCrypto", "TestSupport", "MallocCounter"]),
        .testTarget(
            name: "ProvidersTests",
            dependencies: ["Providers", "Transport", "TestSupport", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "LocalSpeechTests", dependencies: ["LocalSpeech", "Providers", "Audio", "TestSupport"]),
        .testTarget(name: "SteadfastCLITests", dependencies: ["steadfast", "TestSupport", "OpenSSLCrypto"]),
        /// Replays every committed fuzz corpus file and crash reproducer (Fuzz/corpus, Fuzz/regressions).
        /// It imports Providers, SteadfastConfig and Transport itself (FuzzFindingTests), so it names them: reached only
        /// through FuzzTargets, an incremental build once kept a stale layout of SteadfastConfiguration and crashed.
        .testTarget(name: "FuzzRegressionTests", dependencies: ["FuzzTargets", "TestSupport", "Providers", "SteadfastConfig", "Transport"]),
        /// Per-thread heap allocation counts (also the benchmarks' LD_PRELOAD shim). Linked into the test
        /// executable it replaces malloc for the whole test process; see docs/testing.md § Allocations.
        .target(name: "MallocCounter", path: "Benchmarks/MallocCounter"),
        /// Shared test plumbing: locating the interop venv, running subprocesses, a tiny HTTP server.
        .target(name: "TestSupport", dependencies: ["Providers", "SansIO", .product(name: "Logging", package: "swift-log")],
                path: "Tests/TestSupport"),
    ],
    swiftLanguageModes: [.v6]
)
