import COpus
import CShims

/// Owns one libopus encoder for one outgoing voice stream.
///
/// Settings follow the voice recipe in webrtc-stack.md §6: application VOIP, signal VOICE, VBR,
/// 20 ms frames, in-band FEC driven by the expected loss, DTX only when the peer negotiated
/// `usedtx=1`. The encoder keeps prediction state between frames, so feed it one stream's
/// consecutive frames and never share it: one instance per stream, owned by one task.
public final class OpusEncoder {
    /// Opus never emits more than 1275 bytes per frame; 1500 leaves room for multi-frame packets
    /// and matches a typical MTU (RFC 7587 §4.2 leaves the size to the sender).
    public static let maximumPacketSize = 1500

    /// How the encoder is created; every field can be changed later except rate, channels and frame length.
    public struct Configuration: Sendable, Equatable {
        /// One of the Opus rates (8, 12, 16, 24 or 48 kHz); WebRTC always signals 48 kHz.
        public var sampleRate: Int
        /// 1 (mono, the usual capture) or 2.
        public var channels: Int
        /// 10, 20, 40 or 60 ms; 20 ms is what browsers send.
        public var frameMilliseconds: Int
        /// Target bits per second; 24–32 kbps is transparent enough for speech.
        public var bitrate: Int
        /// 0 (cheapest) … 10 (best); each step costs CPU (§6 table: c5 ≈ 2× c0, c10 ≈ 4× c0).
        public var complexity: Int
        /// Adds a low-bitrate copy of the previous frame (LBRR) so a receiver can rebuild one lost packet.
        public var inBandFEC: Bool
        /// The loss the encoder should plan for; libopus only produces LBRR when this is above 0.
        public var expectedPacketLossPercent: Int
        /// Discontinuous transmission: near-empty packets during silence (only if `usedtx=1` was negotiated).
        public var discontinuousTransmission: Bool

        public init(sampleRate: Int = AudioFrame.defaultSampleRate, channels: Int = 1, frameMilliseconds: Int = 20,
                    bitrate: Int = 32_000, complexity: Int = 5, inBandFEC: Bool = true,
                    expectedPacketLossPercent: Int = 10, discontinuousTransmission: Bool = false) {
            self.sampleRate = sampleRate
            self.channels = channels
            self.frameMilliseconds = frameMilliseconds
            self.bitrate = bitrate
            self.complexity = complexity
            self.inBandFEC = inBandFEC
            self.expectedPacketLossPercent = expectedPacketLossPercent
            self.discontinuousTransmission = discontinuousTransmission
        }
    }

    public let sampleRate: Int
    public let channels: Int
    public let frameMilliseconds: Int
    /// Samples per channel in every frame handed to `encode` (960 for 20 ms at 48 kHz).
    public let samplesPerChannelPerFrame: Int
    private let encoder: OpaquePointer

    public init(configuration: Configuration = Configuration()) throws(AudioError) {
        guard [8_000, 12_000, 16_000, 24_000, 48_000].contains(configuration.sampleRate) else {
            throw .invalidFormat("Opus cannot encode at \(configuration.sampleRate) Hz (8/12/16/24/48 kHz only)")
        }
        guard (1...2).contains(configuration.channels) else {
            throw .invalidFormat("Opus encodes 1 or 2 channels, not \(configuration.channels)")
        }
        guard [10, 20, 40, 60].contains(configuration.frameMilliseconds) else {
            throw .invalidFormat("Opus frames must be 10, 20, 40 or 60 ms, not \(configuration.frameMilliseconds) ms")
        }
        var status: Int32 = 0
        guard let created = opus_encoder_create(Int32(configuration.sampleRate), Int32(configuration.channels),
                                                OPUS_APPLICATION_VOIP, &status), status == OPUS_OK else {
            throw .library("opus_encoder_create: \(OpusStatus.describe(status))")
        }
        encoder = created
        sampleRate = configuration.sampleRate
        channels = configuration.channels
        frameMilliseconds = configuration.frameMilliseconds
        samplesPerChannelPerFrame = configuration.sampleRate * configuration.frameMilliseconds / 1000
        // `deinit` frees the encoder even if a setting below is rejected.
        try set(OPUS_SET_SIGNAL_REQUEST, OPUS_SIGNAL_VOICE, "signal")
        try set(OPUS_SET_VBR_REQUEST, 1, "VBR")
        try setBitrate(configuration.bitrate)
        try setComplexity(configuration.complexity)
        try setInBandFEC(configuration.inBandFEC, expectedPacketLossPercent: configuration.expectedPacketLossPercent)
        try setDiscontinuousTransmission(configuration.discontinuousTransmission)
    }

    deinit { opus_encoder_destroy(encoder) }

    // MARK: Settings

    /// Target bitrate in bits per second (500…512 000); takes effect from the next frame.
    public func setBitrate(_ bitsPerSecond: Int) throws(AudioError) {
        guard (500...512_000).contains(bitsPerSecond) else {
            throw .invalidFormat("Opus bitrate \(bitsPerSecond) bps is outside 500…512000")
        }
        try set(OPUS_SET_BITRATE_REQUEST, Int32(bitsPerSecond), "bitrate")
    }

    /// The bitrate the encoder is actually using (libopus may clamp the request).
    public var bitrate: Int { value(of: OPUS_GET_BITRATE_REQUEST) }

    /// Complexity 0…10: trades CPU for quality at the same bitrate.
    public func setComplexity(_ complexity: Int) throws(AudioError) {
        guard (0...10).contains(complexity) else { throw .invalidFormat("Opus complexity \(complexity) is outside 0…10") }
        try set(OPUS_SET_COMPLEXITY_REQUEST, Int32(complexity), "complexity")
    }

    public var complexity: Int { value(of: OPUS_GET_COMPLEXITY_REQUEST) }

    /// Turns in-band FEC on or off; call again whenever RTCP reports a new loss rate.
    public func setInBandFEC(_ enabled: Bool, expectedPacketLossPercent: Int) throws(AudioError) {
        guard (0...100).contains(expectedPacketLossPercent) else {
            throw .invalidFormat("expected packet loss \(expectedPacketLossPercent) % is outside 0…100")
        }
        try set(OPUS_SET_INBAND_FEC_REQUEST, enabled ? 1 : 0, "in-band FEC")
        try set(OPUS_SET_PACKET_LOSS_PERC_REQUEST, Int32(expectedPacketLossPercent), "packet loss")
    }

    public var isInBandFECEnabled: Bool { value(of: OPUS_GET_INBAND_FEC_REQUEST) != 0 }
    public var expectedPacketLossPercent: Int { value(of: OPUS_GET_PACKET_LOSS_PERC_REQUEST) }

    /// DTX: during silence libopus emits packets of one or two bytes (and a comfort-noise update about
    /// every 400 ms). A sender may skip packets of `OpusEncoder.dtxPacketMaximumSize` bytes or fewer
    /// and must set the RTP marker bit on the first packet after a gap.
    public func setDiscontinuousTransmission(_ enabled: Bool) throws(AudioError) {
        try set(OPUS_SET_DTX_REQUEST, enabled ? 1 : 0, "DTX")
    }

    public var isDiscontinuousTransmissionEnabled: Bool { value(of: OPUS_GET_DTX_REQUEST) != 0 }

    /// Packets this short carry no audio; under DTX they mean "still silent".
    public static let dtxPacketMaximumSize = 2

    /// True while DTX has decided the input is silence (libopus ≥ 1.3).
    public var isInDTX: Bool { value(of: OPUS_GET_IN_DTX_REQUEST) != 0 }

    /// Forgets prediction state, e.g. after the track was muted for a while.
    public func reset() { _ = steadfast_opus_encoder_reset(encoder) }

    // MARK: Encoding

    /// Encodes one frame into a new packet.
    /// - Throws: `AudioError.invalidFormat` when the frame's rate, channels or length do not match.
    public func encode(_ frame: AudioFrame) throws(AudioError) -> [UInt8] {
        var packet = [UInt8](repeating: 0, count: Self.maximumPacketSize)
        let length = try packet.withUnsafeMutableBytes { buffer in
            Result { () throws(AudioError) in try encode(frame, into: buffer) }
        }.get()
        packet.removeSubrange(length...)
        return packet
    }

    /// Encodes one frame into `packet` without allocating; returns the packet's length in bytes.
    /// A buffer of `maximumPacketSize` bytes is always large enough.
    public func encode(_ frame: AudioFrame, into packet: UnsafeMutableRawBufferPointer) throws(AudioError) -> Int {
        guard frame.sampleRate == sampleRate, frame.channels == channels else {
            throw .invalidFormat("encoder takes \(sampleRate) Hz × \(channels) channel(s), got \(frame.sampleRate) Hz × \(frame.channels)")
        }
        return try frame.samples.withUnsafeBufferPointer { pcm in
            Result { () throws(AudioError) in try encode(interleaved: pcm, into: packet) }
        }.get()
    }

    /// Encodes raw interleaved samples (exactly one frame's worth) into `packet`; returns the byte count.
    public func encode(interleaved pcm: UnsafeBufferPointer<Int16>,
                       into packet: UnsafeMutableRawBufferPointer) throws(AudioError) -> Int {
        let expected = samplesPerChannelPerFrame * channels
        guard pcm.count == expected else {
            throw .invalidFormat("Opus frame needs \(expected) samples (\(frameMilliseconds) ms × \(channels) ch "
                + "at \(sampleRate) Hz), got \(pcm.count)")
        }
        guard let output = packet.baseAddress, packet.count > 0, let input = pcm.baseAddress else {
            throw .invalidFormat("empty output buffer for an Opus packet")
        }
        let length = opus_encode(encoder, input, Int32(samplesPerChannelPerFrame),
                                 output.assumingMemoryBound(to: UInt8.self), Int32(min(packet.count, Int(Int32.max))))
        guard length > 0 else { throw .library("opus_encode: \(OpusStatus.describe(length))") }
        return Int(length)
    }

    // MARK: ctl plumbing

    private func set(_ request: Int32, _ value: Int32, _ name: String) throws(AudioError) {
        let status = steadfast_opus_encoder_set(encoder, request, value)
        guard status == OPUS_OK else { throw .library("setting Opus \(name) to \(value): \(OpusStatus.describe(status))") }
    }

    private func value(of request: Int32) -> Int {
        var value: opus_int32 = 0
        _ = steadfast_opus_encoder_get(encoder, request, &value)
        return Int(value)
    }
}

@available(*, unavailable)
extension OpusEncoder: Sendable {}

/// libopus status codes as text, for error messages.
enum OpusStatus {
    static func describe(_ status: Int32) -> String {
        guard let text = opus_strerror(status) else { return "status \(status)" }
        return "\(String(cString: text)) (\(status))"
    }
}
