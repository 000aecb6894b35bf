import COpus
import CShims

/// Owns one libopus decoder for one incoming stream, with the two loss tools WebRTC receivers need.
///
/// - Packet lost, nothing newer yet: `concealLoss(samples:)` (PLC; libopus extrapolates from history).
/// - Packet lost, next one already here: `recoverFromFEC(nextPacket:)` rebuilds the lost frame from the
///   LBRR copy inside the next packet, then decode that next packet normally (webrtc-stack.md §6).
///
/// Packets come from the network, so every malformed one is a thrown `AudioError`, never a trap.
/// Decoder state runs across packets: one instance per stream, owned by one task.
public final class OpusDecoder {
    public let sampleRate: Int
    public let channels: Int
    /// The longest packet Opus allows is 120 ms; the scratch buffer holds that much.
    public let maximumSamplesPerChannel: Int
    private let decoder: OpaquePointer
    private var scratch: [Int16]

    public init(sampleRate: Int = AudioFrame.defaultSampleRate, channels: Int = 1) throws(AudioError) {
        guard [8_000, 12_000, 16_000, 24_000, 48_000].contains(sampleRate), (1...2).contains(channels) else {
            throw .invalidFormat("Opus decodes to 8/12/16/24/48 kHz with 1 or 2 channels, not \(sampleRate) Hz × \(channels)")
        }
        var status: Int32 = 0
        guard let created = opus_decoder_create(Int32(sampleRate), Int32(channels), &status), status == OPUS_OK else {
            throw .library("opus_decoder_create: \(OpusStatus.describe(status))")
        }
        decoder = created
        self.sampleRate = sampleRate
        self.channels = channels
        maximumSamplesPerChannel = sampleRate * 120 / 1000
        scratch = [Int16](repeating: 0, count: maximumSamplesPerChannel * channels)
    }

    deinit { opus_decoder_destroy(decoder) }

    /// Decodes one received packet.
    /// - Throws: `AudioError.invalidFormat` for an empty or malformed packet.
    public func decode(_ packet: [UInt8]) throws(AudioError) -> AudioFrame {
        guard !packet.isEmpty else { throw .invalidFormat("empty Opus packet") }
        let count = try packet.withUnsafeBytes { bytes in
            Result { () throws(AudioError) in
                try decodeIntoScratch(bytes, forwardErrorCorrection: false, samplesPerChannel: maximumSamplesPerChannel)
            }
        }.get()
        return frameFromScratch(samplesPerChannel: count)
    }

    /// Decodes one packet into `pcm` (interleaved) without allocating; returns samples per channel.
    /// `pcm` must hold the packet's duration (`maximumSamplesPerChannel × channels` always does).
    public func decode(_ packet: UnsafeRawBufferPointer, into pcm: UnsafeMutableBufferPointer<Int16>) throws(AudioError) -> Int {
        guard !packet.isEmpty else { throw .invalidFormat("empty Opus packet") }
        return try run(packet, into: pcm, forwardErrorCorrection: false, samplesPerChannel: pcm.count / channels)
    }

    /// Packet-loss concealment: a frame of `samples` per channel extrapolated from what came before.
    /// `samples` must be a multiple of 2.5 ms (120 at 48 kHz) up to 120 ms; use the lost packet's duration.
    public func concealLoss(samples: Int = 960) throws(AudioError) -> AudioFrame {
        try checkConcealmentLength(samples)
        let count = try decodeIntoScratch(nil, forwardErrorCorrection: false, samplesPerChannel: samples)
        return frameFromScratch(samplesPerChannel: count)
    }

    /// Rebuilds the frame lost just before `nextPacket` from that packet's in-band FEC data.
    ///
    /// Call it before decoding `nextPacket` itself. When the sender had FEC off (or the packet is CELT-only)
    /// libopus falls back to concealment, so the result is always a full frame of `samples`
    /// (default: `nextPacket`'s own duration, which is the usual lost-frame duration).
    public func recoverFromFEC(nextPacket: [UInt8], samples: Int? = nil) throws(AudioError) -> AudioFrame {
        guard !nextPacket.isEmpty else { throw .invalidFormat("empty Opus packet") }
        var length = try Self.samplesPerChannel(in: nextPacket, sampleRate: sampleRate)
        if let samples { length = samples }
        try checkConcealmentLength(length)
        let count = try nextPacket.withUnsafeBytes { bytes in
            Result { () throws(AudioError) in
                try decodeIntoScratch(bytes, forwardErrorCorrection: true, samplesPerChannel: length)
            }
        }.get()
        return frameFromScratch(samplesPerChannel: count)
    }

    /// Samples per channel in the last packet decoded (or concealed).
    public var lastPacketDuration: Int {
        var value: opus_int32 = 0
        _ = steadfast_opus_decoder_get(decoder, OPUS_GET_LAST_PACKET_DURATION_REQUEST, &value)
        return Int(value)
    }

    /// Forgets decoder history, e.g. after an SSRC change.
    public func reset() { _ = steadfast_opus_decoder_reset(decoder) }

    /// A packet's duration in samples per channel at `sampleRate`, read from its TOC byte(s) (RFC 6716 §3.1).
    /// - Throws: `AudioError.invalidFormat` when the header is malformed.
    public static func samplesPerChannel(in packet: [UInt8], sampleRate: Int = AudioFrame.defaultSampleRate) throws(AudioError) -> Int {
        guard !packet.isEmpty else { throw .invalidFormat("empty Opus packet") }
        let count = packet.withUnsafeBufferPointer { bytes -> Int32 in
            guard let start = bytes.baseAddress else { return OPUS_BAD_ARG }
            return opus_packet_get_nb_samples(start, Int32(clamping: bytes.count), Int32(sampleRate))
        }
        guard count > 0 else { throw .invalidFormat("malformed Opus packet header: \(OpusStatus.describe(count))") }
        return Int(count)
    }

    /// A packet's duration in milliseconds (2.5 … 120).
    public static func duration(of packet: [UInt8]) throws(AudioError) -> Duration {
        .microseconds(Int64(try samplesPerChannel(in: packet, sampleRate: 48_000)) * 1_000_000 / 48_000)
    }

    // MARK: Private

    private func checkConcealmentLength(_ samples: Int) throws(AudioError) {
        let step = sampleRate / 400
        guard samples > 0, samples <= maximumSamplesPerChannel, samples % step == 0 else {
            throw .invalidFormat("Opus can only conceal multiples of 2.5 ms (\(step) samples) up to 120 ms, not \(samples)")
        }
    }

    private func decodeIntoScratch(_ packet: UnsafeRawBufferPointer?, forwardErrorCorrection: Bool,
                                   samplesPerChannel: Int) throws(AudioError) -> Int {
        try scratch.withUnsafeMutableBufferPointer { pcm in
            Result { () throws(AudioError) in
                try run(packet, into: pcm, forwardErrorCorrection: forwardErrorCorrection, samplesPerChannel: samplesPerChannel)
            }
        }.get()
    }

    /// The one place `opus_decode` is called. A nil `packet` means concealment; callers have already
    /// rejected empty packets, which libopus would silently treat as loss.
    private func run(_ packet: UnsafeRawBufferPointer?, into pcm: UnsafeMutableBufferPointer<Int16>,
                     forwardErrorCorrection: Bool, samplesPerChannel: Int) throws(AudioError) -> Int {
        let capacity = min(samplesPerChannel, pcm.count / channels)
        guard capacity > 0, let output = pcm.baseAddress else {
            throw .invalidFormat("no room to decode into (\(pcm.count) samples for \(channels) channel(s))")
        }
        var bytes: UnsafePointer<UInt8>?
        var length: Int32 = 0
        if let packet {
            guard let start = packet.baseAddress, !packet.isEmpty else { throw .invalidFormat("empty Opus packet") }
            bytes = start.assumingMemoryBound(to: UInt8.self)
            length = Int32(clamping: packet.count)
            let packetSamples = opus_decoder_get_nb_samples(decoder, start.assumingMemoryBound(to: UInt8.self), length)
            guard packetSamples > 0 else { throw .invalidFormat("malformed Opus packet: \(OpusStatus.describe(packetSamples))") }
            guard forwardErrorCorrection || Int(packetSamples) <= capacity else {
                throw .invalidFormat("Opus packet holds \(packetSamples) samples per channel; buffer fits \(capacity)")
            }
        }
        let decoded = opus_decode(decoder, bytes, length, output, Int32(capacity), forwardErrorCorrection ? 1 : 0)
        guard decoded > 0 else { throw .invalidFormat("Opus packet did not decode: \(OpusStatus.describe(decoded))") }
        return Int(decoded)
    }

    private func frameFromScratch(samplesPerChannel: Int) -> AudioFrame {
        AudioFrame(samples: Array(scratch[0..<samplesPerChannel * channels]), sampleRate: sampleRate, channels: channels)
    }
}

@available(*, unavailable)
extension OpusDecoder: Sendable {}
