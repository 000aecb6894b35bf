import Audio
import COpus
import CShims
import Glibc

/// 6. Opus encode and decode per 20 ms frame at complexity 0, 5 and 10 (48 kHz mono, 32 kbps, VOIP,
/// in-band FEC for 10 % loss: the first row of webrtc-stack.md §6), on the speech-like signal.
/// `Audio.OpusEncoder`/`OpusDecoder` (their allocation-free `into:` calls) run interleaved with bare
/// libopus handles set up identically through COpus, on the same frames; both must produce the same
/// bytes and samples, so the ratio is the Swift wrappers' overhead.
enum OpusCodecBenchmark {
    static let name = "6. Opus per 20 ms frame"
    static let complexities = [0, 5, 10]

    struct Codec { var swift = Samples(), raw = Samples() }

    struct Outcome {
        var result: (rows: [ResultRow], derived: [DerivedRow])
        var encode: [Int: Codec] = [:]
        var decode: [Int: Codec] = [:]
    }

    static func run(_ options: BenchOptions) throws -> Outcome {
        let (warmup, timed) = (options.warmup(100), options.iterations(1500))
        let frames = MediaFixtures.speechFrames(count: warmup + timed)
        var outcome = Outcome(result: ([], []))
        for complexity in complexities {
            progress("\(name), complexity \(complexity): \(warmup) warm-up and \(timed) timed frames")
            let (encode, decode) = try measure(complexity: complexity, frames: frames, warmup: warmup)
            outcome.encode[complexity] = encode
            outcome.decode[complexity] = decode
            outcome.result.rows += [
                ResultRow(benchmark: name, scenario: "Baseline: bare libopus `opus_encode`, complexity \(complexity)",
                          samples: encode.raw),
                ResultRow(benchmark: name, scenario: "**Encode**: `OpusEncoder.encode(_:into:)`, complexity \(complexity)",
                          samples: encode.swift, baseline: encode.raw),
                ResultRow(benchmark: name, scenario: "Baseline: bare libopus `opus_decode` (complexity-\(complexity) packets)",
                          samples: decode.raw),
                ResultRow(benchmark: name, scenario: "**Decode**: `OpusDecoder.decode(_:into:)` (complexity-\(complexity) packets)",
                          samples: decode.swift, baseline: decode.raw),
            ]
        }
        return outcome
    }

    private static func measure(complexity: Int, frames: [AudioFrame], warmup: Int) throws -> (Codec, Codec) {
        let encoder = try OpusEncoder(configuration: .init(
            bitrate: MediaFixtures.bitrate, complexity: complexity, inBandFEC: true,
            expectedPacketLossPercent: MediaFixtures.expectedLossPercent))
        let decoder = try OpusDecoder()
        let raw = try RawOpus(complexity: complexity)
        let capacity = OpusEncoder.maximumPacketSize
        let swiftPacket = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        let rawPacket = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        let swiftPCM = UnsafeMutableBufferPointer<Int16>.allocate(capacity: decoder.maximumSamplesPerChannel)
        let rawPCM = UnsafeMutableBufferPointer<Int16>.allocate(capacity: decoder.maximumSamplesPerChannel)
        defer { swiftPacket.deallocate(); rawPacket.deallocate(); swiftPCM.deallocate(); rawPCM.deallocate() }
        var encode = Codec(), decode = Codec()
        for (index, frame) in frames.enumerated() {
            // Alternate which side runs first, so neither always finds the frame already in cache.
            let rawFirst = index % 2 == 0
            var rawEncode = Duration.zero, swiftEncode = Duration.zero, rawLength = 0, swiftLength = 0
            for side in rawFirst ? [true, false] : [false, true] {
                let start = ContinuousClock.now
                if side {
                    rawLength = raw.encode(frame.samples, into: rawPacket)
                    rawEncode = ContinuousClock.now - start
                } else {
                    swiftLength = try encoder.encode(frame, into: swiftPacket)
                    swiftEncode = ContinuousClock.now - start
                }
            }
            guard rawLength > 0, rawLength == swiftLength,
                  memcmp(rawPacket.baseAddress!, swiftPacket.baseAddress!, rawLength) == 0
            else { throw BenchFailure("libopus and OpusEncoder encoded frame \(index) differently") }
            var rawDecode = Duration.zero, swiftDecode = Duration.zero, rawSamples = 0, swiftSamples = 0
            for side in rawFirst ? [true, false] : [false, true] {
                let start = ContinuousClock.now
                if side {
                    rawSamples = raw.decode(UnsafeRawBufferPointer(rebasing: rawPacket[..<rawLength]), into: rawPCM)
                    rawDecode = ContinuousClock.now - start
                } else {
                    swiftSamples = try decoder.decode(UnsafeRawBufferPointer(rebasing: swiftPacket[..<swiftLength]),
                                                      into: swiftPCM)
                    swiftDecode = ContinuousClock.now - start
                }
            }
            guard rawSamples == MediaFixtures.samplesPerFrame, swiftSamples == rawSamples,
                  memcmp(rawPCM.baseAddress!, swiftPCM.baseAddress!, rawSamples * 2) == 0
            else { throw BenchFailure("libopus and OpusDecoder decoded frame \(index) differently") }
            guard index >= warmup else { continue }
            encode.raw.add(rawEncode); encode.swift.add(swiftEncode)
            decode.raw.add(rawDecode); decode.swift.add(swiftDecode)
        }
        return (encode, decode)
    }
}

/// Bare libopus encoder and decoder with `OpusEncoder`'s settings, for the baseline rows.
final class RawOpus {
    private let encoder: OpaquePointer
    private let decoder: OpaquePointer

    init(complexity: Int) throws {
        var status: Int32 = 0
        guard let encoder = opus_encoder_create(48_000, 1, OPUS_APPLICATION_VOIP, &status), status == OPUS_OK else {
            throw BenchFailure("opus_encoder_create: \(status)")
        }
        self.encoder = encoder
        guard let decoder = opus_decoder_create(48_000, 1, &status), status == OPUS_OK else {
            opus_encoder_destroy(encoder)
            throw BenchFailure("opus_decoder_create: \(status)")
        }
        self.decoder = decoder
        // The order and values `OpusEncoder.init` uses, so both encoders produce identical packets.
        let settings: [(Int32, Int32)] = [
            (OPUS_SET_SIGNAL_REQUEST, OPUS_SIGNAL_VOICE), (OPUS_SET_VBR_REQUEST, 1),
            (OPUS_SET_BITRATE_REQUEST, Int32(MediaFixtures.bitrate)), (OPUS_SET_COMPLEXITY_REQUEST, Int32(complexity)),
            (OPUS_SET_INBAND_FEC_REQUEST, 1), (OPUS_SET_PACKET_LOSS_PERC_REQUEST, Int32(MediaFixtures.expectedLossPercent)),
            (OPUS_SET_DTX_REQUEST, 0),
        ]
        for (request, value) in settings where steadfast_opus_encoder_set(encoder, request, value) != OPUS_OK {
            throw BenchFailure("opus_encoder_ctl(\(request), \(value)) failed")
        }
    }

    deinit {
        opus_encoder_destroy(encoder)
        opus_decoder_destroy(decoder)
    }

    /// `opus_encode` of one 20 ms frame; the packet length, or a negative libopus status.
    func encode(_ samples: [Int16], into packet: UnsafeMutableRawBufferPointer) -> Int {
        samples.withUnsafeBufferPointer { pcm in
            Int(opus_encode(encoder, pcm.baseAddress!, Int32(pcm.count),
                            packet.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(packet.count)))
        }
    }

    /// `opus_decode` of one packet (no FEC); samples decoded, or a negative libopus status.
    func decode(_ packet: UnsafeRawBufferPointer, into pcm: UnsafeMutableBufferPointer<Int16>) -> Int {
        Int(opus_decode(decoder, packet.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(packet.count),
                        pcm.baseAddress!, Int32(pcm.count), 0))
    }
}
