import CWebRTCVAD

/// The one owner of a WebRTC C VAD instance (`WebRtcVad_*` of Debian's libwebrtc-audio-processing),
/// for the VAD-choice benchmark only: created and initialised here, freed in `deinit`.
final class WebRTCVAD {
    let mode: Int
    let sampleRate: Int
    private let handle: OpaquePointer

    /// `mode`: aggressiveness 0 (calls the most speech) to 3 (the least).
    init(mode: Int, sampleRate: Int) throws {
        guard let handle = WebRtcVad_Create() else { throw BenchFailure("WebRtcVad_Create returned NULL") }
        self.handle = handle
        self.mode = mode
        self.sampleRate = sampleRate
        // All stored properties are set, so a throw from here still runs `deinit` and frees the handle.
        guard WebRtcVad_Init(handle) == 0 else { throw BenchFailure("WebRtcVad_Init failed") }
        guard WebRtcVad_set_mode(handle, Int32(mode)) == 0 else { throw BenchFailure("WebRTC VAD mode \(mode) refused") }
    }

    deinit { WebRtcVad_Free(handle) }

    /// Whether `WebRtcVad_ValidRateAndFrameLength` accepts this many samples at this rate.
    func accepts(frameLength: Int) -> Bool {
        WebRtcVad_ValidRateAndFrameLength(Int32(sampleRate), frameLength) == 0
    }

    /// The detector's decision for one 10, 20 or 30 ms frame (its built-in overhang included).
    func isSpeech(_ samples: [Int16]) throws -> Bool {
        let result = samples.withUnsafeBufferPointer {
            WebRtcVad_Process(handle, Int32(sampleRate), $0.baseAddress, $0.count)
        }
        guard result >= 0 else { throw BenchFailure("WebRtcVad_Process rejected \(samples.count) samples at \(sampleRate) Hz") }
        return result == 1
    }
}
