import Audio
import COpus
import CSRTP
import CShims
import Glibc
import RTC
import TestSupport

/// Shared pieces of the media-plane benchmarks: a speech-like test signal, SRTP sessions keyed
/// without DTLS, bare libsrtp and libopus handles for the C baselines, and the allocation counter.
enum MediaFixtures {
    static let sampleRate = 48_000
    static let samplesPerFrame = 960
    /// Packets and frames per second of one audio stream (20 ms frames).
    static let framesPerSecond = 50
    /// The settings of webrtc-stack.md §6's first row, which the Opus figures are compared with.
    static let bitrate = 32_000
    static let expectedLossPercent = 10
    static let extensionMap = RTPHeaderExtensionMap([
        (id: 1, uri: RTPHeaderExtensionMap.midURI), (id: 2, uri: RTPHeaderExtensionMap.audioLevelURI),
    ])
    static let audioLevel = RTPAudioLevel(voiceActivity: true, level: 30)
    static let ssrc: UInt32 = 0x5EAD_FA57
    static let payloadType: UInt8 = 111

    /// Keying material as if exported from DTLS (RFC 5764 §4.2); the bytes are arbitrary but fixed.
    static func keyingMaterial(_ profile: SRTPProfile) throws -> SRTPKeyingMaterial {
        let exported = (0..<profile.exportedKeyingMaterialLength).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        return try SRTPKeyingMaterial(profile: profile, exportedKeyingMaterial: exported)
    }

    /// The sending (DTLS client) and receiving (DTLS server) ends of one SRTP association.
    static func sessionPair(_ profile: SRTPProfile) throws -> (sender: SRTPSession, receiver: SRTPSession) {
        let material = try keyingMaterial(profile)
        return (try SRTPSession(keyingMaterial: material, role: .client),
                try SRTPSession(keyingMaterial: material, role: .server))
    }

    /// A packetizer with the MID and audio-level extensions, as a negotiated send track has.
    static func packetizer() -> OpusRTPPacketizer {
        OpusRTPPacketizer(ssrc: ssrc, payloadType: payloadType, mid: "0", extensionMap: extensionMap,
                          initialSequenceNumber: 1000, initialTimestamp: 90_000)
    }

    /// `count` 20 ms frames of the speech-like signal as Opus packets (complexity 5, the product default).
    static func opusPackets(count: Int) throws -> [[UInt8]] {
        let encoder = try OpusEncoder(configuration: .init(
            bitrate: bitrate, complexity: 5, inBandFEC: true, expectedPacketLossPercent: expectedLossPercent))
        return try speechFrames(count: count).map { frame throws(AudioError) in try encoder.encode(frame) }
    }

    /// `count` consecutive 20 ms frames of `SpeechLikeSignal`.
    static func speechFrames(count: Int) -> [AudioFrame] {
        let samples = SpeechLikeSignal.samples(count: count * samplesPerFrame)
        return (0..<count).map { index in
            AudioFrame(samples: Array(samples[(index * samplesPerFrame)..<((index + 1) * samplesPerFrame)]))
        }
    }
}

/// A deterministic, speech-like 48 kHz mono signal, so Opus runs its speech paths (SILK/hybrid) as it
/// would on a voice agent's audio: syllables of a voiced source (harmonics of a gliding 100–180 Hz pitch
/// shaped by three moving formants) with a 4 Hz envelope, every fourth syllable a fricative (noise),
/// a pause every three seconds, and a −50 dBFS noise floor.
enum SpeechLikeSignal {
    static func samples(count: Int, seed: UInt64 = 1) -> [Int16] {
        var random = SplitMix64(seed: seed)
        var output = [Int16](repeating: 0, count: count)
        let rate = Double(MediaFixtures.sampleRate)
        var phase = 0.0
        var previousNoise = 0.0
        var amplitudes: [Double] = []
        for index in 0..<count {
            let t = Double(index) / rate
            let syllable = Int(t / 0.25)
            let position = (t - Double(syllable) * 0.25) / 0.25
            let inPause = t.truncatingRemainder(dividingBy: 3) > 2.6
            let envelope = inPause || position > 0.8 ? 0 : pow(sin(Double.pi * position / 0.8), 2)
            let f0 = 140 + 40 * sin(2 * .pi * 0.7 * t) + 8 * sin(2 * .pi * 3.1 * t)
            phase += 2 * .pi * f0 / rate
            if phase > 2 * .pi * 1000 { phase -= 2 * .pi * 1000 }
            if index % 240 == 0 { amplitudes = harmonicAmplitudes(f0: f0, syllable: syllable) }
            var voiced = 0.0
            for (k, amplitude) in amplitudes.enumerated() { voiced += amplitude * sin(Double(k + 1) * phase) }
            let white = random.nextSignedUnit()
            // A first difference tilts the noise towards high frequencies, like /s/ or /f/.
            let fricative = white - previousNoise
            previousNoise = white
            let source = syllable % 4 == 3 ? 0.25 * fricative : 0.35 * voiced
            let value = envelope * source + 0.003 * white
            output[index] = Int16(clamping: Int((value * 32767).rounded()))
        }
        return output
    }

    /// Harmonic amplitudes below 4 kHz under three resonances whose centres move with the syllable.
    private static func harmonicAmplitudes(f0: Double, syllable: Int) -> [Double] {
        let vowel = Double((syllable * 7) % 5)
        let formants = [(500 + 80 * vowel, 90.0), (1000 + 250 * vowel, 120.0), (2500 + 60 * vowel, 180.0)]
        let count = max(1, Int(4000 / f0))
        var amplitudes = (1...count).map { k -> Double in
            let frequency = Double(k) * f0
            return formants.reduce(0) { sum, formant in
                let detuning = (frequency - formant.0) / formant.1
                return sum + 1 / (1 + detuning * detuning)
            } / Double(k).squareRoot()
        }
        let total = amplitudes.reduce(0, +)
        for index in amplitudes.indices { amplitudes[index] /= total }
        return amplitudes
    }
}

extension SplitMix64 {
    /// Uniform in [−1, 1), so every run encodes the same signal.
    mutating func nextSignedUnit() -> Double { Double(next() >> 11) / Double(1 << 52) - 1 }
}

/// A bare libsrtp context for one direction, keyed like `SRTPSession`: the C floor the Swift packet
/// paths are compared with. Works on a caller-owned buffer of `capacity` bytes.
final class RawSRTPContext {
    static let capacity = 1500
    private let context: OpaquePointer
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)

    init(profile: SRTPProfile, keyAndSalt: [UInt8], outbound: Bool) throws {
        let libsrtpProfile: srtp_profile_t = switch profile {
        case .aes128CmHmacSha1_80: srtp_profile_aes128_cm_sha1_80
        case .aeadAes128Gcm: srtp_profile_aead_aes_128_gcm
        case .aeadAes256Gcm: srtp_profile_aead_aes_256_gcm
        }
        var policy = srtp_policy_t()
        guard srtp_crypto_policy_set_from_profile_for_rtp(&policy.rtp, libsrtpProfile) == srtp_err_status_ok,
              srtp_crypto_policy_set_from_profile_for_rtcp(&policy.rtcp, libsrtpProfile) == srtp_err_status_ok
        else { throw BenchFailure("libsrtp does not support \(profile)") }
        policy.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound
        policy.window_size = 1024  // as SRTPSession
        policy.allow_repeat_tx = 1
        var key = keyAndSalt
        var created: srtp_t?
        let status = key.withUnsafeMutableBufferPointer { bytes in
            policy.key = bytes.baseAddress
            return srtp_create(&created, &policy)
        }
        guard status == srtp_err_status_ok, let created else { throw BenchFailure("srtp_create: \(status.rawValue)") }
        context = created
    }

    deinit {
        srtp_dealloc(context)
        buffer.deallocate()
    }

    /// Copies `packet` into the buffer (the socket read; not part of what is timed).
    func load(_ packet: [UInt8]) -> Int32 {
        packet.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        return Int32(packet.count)
    }

    /// `srtp_protect` on the loaded packet; returns the protected length, or nil on failure.
    func protect(length: Int32) -> Int32? {
        var length = length
        return srtp_protect(context, buffer, &length) == srtp_err_status_ok ? length : nil
    }

    /// `srtp_unprotect` on the loaded packet; returns the plain length, or nil on failure.
    func unprotect(length: Int32) -> Int32? {
        var length = length
        return srtp_unprotect(context, buffer, &length) == srtp_err_status_ok ? length : nil
    }

    func bytes(count: Int32) -> [UInt8] { Array(UnsafeRawBufferPointer(start: buffer, count: Int(count))) }
}

/// Heap allocation calls made by this thread, read from `Benchmarks/MallocCounter/malloc_counter.c`
/// when it is preloaded (`Benchmarks/run-with-malloc-counter.sh`); nil otherwise.
enum AllocationCounter {
    private typealias Reader = @convention(c) () -> UInt64
    private static let reader: Reader? = dlsym(nil, "steadfast_allocation_count")
        .map { unsafeBitCast($0, to: Reader.self) }

    static var isAvailable: Bool { reader != nil }

    static func count() -> UInt64? { reader?() }

    static let unavailableNote = "not measured: run Benchmarks/run-with-malloc-counter.sh"

    /// The allocation row for a loop that handled `packets` packets with `allocations` calls.
    static func row(benchmark: String, scenario: String, packets: Int, allocations: UInt64?,
                    baseline: (name: String, allocations: UInt64?)?) -> DerivedRow {
        let perPacket = allocations.map { Double($0) / Double(packets) } ?? .nan
        let basePerPacket = baseline?.allocations.map { Double($0) / Double(packets) } ?? .nan
        let target: String
        if let allocations {
            // What the C library makes on its own is shown apart, so the Swift layers' share is visible.
            let own = baseline.flatMap { baseline in
                baseline.allocations.map { " (\(Int64(allocations) - Int64($0)) more than \(baseline.name))" }
            } ?? ""
            target = "0 per packet: " + (allocations == 0 ? "met" : "**missed**")
                + ": \(allocations) in \(packets) packets\(own)"
        } else {
            target = "0 per packet: \(unavailableNote)"
        }
        return DerivedRow(benchmark: benchmark, scenario: scenario, count: packets, median: perPacket, p90: .nan,
                          p99: .nan,
                          ratio: baseline.map { "\($0.name): \(DerivedRow.Unit.allocationsPerPacket.format(basePerPacket))" }
                              ?? "–",
                          target: target, unit: .allocationsPerPacket)
    }
}
