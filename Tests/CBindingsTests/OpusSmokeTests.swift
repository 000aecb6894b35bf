import COpus
import CShims
import Foundation
import Testing

/// libopus through COpus plus the variadic-ctl shims: one real 20 ms frame round trip.
@Test func opusEncodesAndDecodesOneTwentyMillisecondFrame() throws {
    var error: Int32 = 0
    let encoder = try #require(opus_encoder_create(48_000, 1, OPUS_APPLICATION_VOIP, &error))
    defer { opus_encoder_destroy(encoder) }
    #expect(error == OPUS_OK)
    #expect(steadfast_opus_encoder_set(encoder, OPUS_SET_BITRATE_REQUEST, 32_000) == OPUS_OK)
    var bitrate: opus_int32 = 0
    #expect(steadfast_opus_encoder_get(encoder, OPUS_GET_BITRATE_REQUEST, &bitrate) == OPUS_OK)
    #expect(bitrate == 32_000)

    let decoder = try #require(opus_decoder_create(48_000, 1, &error))
    defer { opus_decoder_destroy(decoder) }

    // 440 Hz tone at half scale; encode a few frames so the codec settles, then check the last one.
    let samplesPerFrame = 960
    var decoded = [Int16](repeating: 0, count: samplesPerFrame)
    var packet = [UInt8](repeating: 0, count: 1500)
    for frame in 0..<5 {
        let pcm = (0..<samplesPerFrame).map { i in
            Int16(16_000 * sin(2 * Double.pi * 440 * Double(frame * samplesPerFrame + i) / 48_000))
        }
        let bytes = opus_encode(encoder, pcm, Int32(samplesPerFrame), &packet, Int32(packet.count))
        #expect(bytes > 0 && bytes < 400)
        let samples = opus_decode(decoder, packet, bytes, &decoded, Int32(samplesPerFrame), 0)
        #expect(samples == Int32(samplesPerFrame))
    }
    var duration: opus_int32 = 0
    #expect(steadfast_opus_decoder_get(decoder, OPUS_GET_LAST_PACKET_DURATION_REQUEST, &duration) == OPUS_OK)
    #expect(duration == 960)
    // A lossy codec will not return identical samples, but the tone's energy must survive.
    let rms = sqrt(decoded.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(decoded.count))
    #expect(rms > 8_000 && rms < 14_000, "decoded RMS \(rms) should be near 16000/sqrt(2)")
}
