import CSpeexDSP

/// Streaming sample-rate conversion with libspeexdsp (what Debian ships; no hand-written filters).
///
/// Stateful: feed consecutive frames of one stream so the filter history carries across frame
/// boundaries (no clicks every 20 ms). One instance per stream and direction; not thread-safe.
public final class Resampler {
    public let inputRate: Int
    public let outputRate: Int
    public let channels: Int
    private let state: OpaquePointer?

    /// Quality 0...10; 5 is speexdsp's VoIP default, 7+ for music. Equal rates pass audio through.
    public init(from inputRate: Int, to outputRate: Int, channels: Int = 1, quality: Int = 5) throws(AudioError) {
        guard inputRate > 0, outputRate > 0, channels > 0, (0...10).contains(quality) else {
            throw .invalidFormat("cannot resample \(inputRate) Hz → \(outputRate) Hz, \(channels) channel(s), quality \(quality)")
        }
        self.inputRate = inputRate
        self.outputRate = outputRate
        self.channels = channels
        if inputRate == outputRate {
            state = nil
            return
        }
        var error: Int32 = 0
        guard let created = speex_resampler_init(spx_uint32_t(channels), spx_uint32_t(inputRate), spx_uint32_t(outputRate),
                                                 Int32(quality), &error) else {
            throw .library("speex_resampler_init failed (\(error))")
        }
        state = created
        // Skip the filter's initial zeros so output lines up with input from the first frame.
        speex_resampler_skip_zeros(created)
    }

    deinit { if let state { speex_resampler_destroy(state) } }

    /// Converts one frame; the output holds every sample the filter can produce so far.
    public func process(_ frame: AudioFrame) throws(AudioError) -> AudioFrame {
        guard frame.sampleRate == inputRate, frame.channels == channels else {
            throw .invalidFormat("resampler expects \(inputRate) Hz × \(channels), got \(frame.sampleRate) Hz × \(frame.channels)")
        }
        guard let state else { return frame }
        let inputPerChannel = frame.samplesPerChannel
        let capacity = inputPerChannel * outputRate / inputRate + 16
        var output = [Int16](repeating: 0, count: capacity * channels)
        var consumed = spx_uint32_t(inputPerChannel)
        var produced = spx_uint32_t(capacity)
        let status = frame.samples.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                speex_resampler_process_interleaved_int(state, input.baseAddress, &consumed, out.baseAddress, &produced)
            }
        }
        guard status == 0 else { throw .library("speex_resampler_process failed (\(status))") }
        output.removeSubrange(Int(produced) * channels..<output.count)
        return AudioFrame(samples: output, sampleRate: outputRate, channels: channels)
    }

    /// Converts a whole clip in one go (a fresh filter; for files and tests).
    public static func convert(_ frame: AudioFrame, to outputRate: Int, quality: Int = 5) throws(AudioError) -> AudioFrame {
        try Resampler(from: frame.sampleRate, to: outputRate, channels: frame.channels, quality: quality).process(frame)
    }
}
