import Audio
import Transport

/// A speech-to-text provider (cloud adapters and the local `PocketSphinxSTT`).
///
/// The segment API is the one every provider has: a whole utterance in, one final transcript out.
/// That is also what makes fallback simple: the router can hand the same segment to the next
/// provider. Failures are `ProviderError`s so the router can classify them.
///
/// A test double only needs `providerName` and `transcribe`:
/// ```swift
/// struct FixedSTT: STT {
///     let providerName = "fixed"
///     func transcribe(_ audio: AudioFrame, language: String?) async throws -> Transcript {
///         Transcript(text: "hello", language: language)
///     }
/// }
/// ```
public protocol STT: Sendable {
    /// Stable provider name for logs and status ("deepgram", "pocketsphinx").
    var providerName: String { get }
    /// The model the next call will use; nil when the provider has no choice of model.
    var model: String? { get async }
    /// Transcribes one utterance (any sample rate; mono expected). Throws `ProviderError`.
    /// Cancelling the calling task cancels the work.
    func transcribe(_ audio: AudioFrame, language: String?) async throws -> Transcript
    /// Transcribes audio as it arrives; the stream ends after the final transcript of the input.
    /// The default buffers the whole input and makes one `transcribe` call when it ends.
    func transcribeStream(_ audio: AsyncStream<AudioFrame>, language: String?) -> AsyncThrowingStream<Transcript, any Error>
}

extension STT {
    public var model: String? { get async { nil } }

    public func transcribeStream(_ audio: AsyncStream<AudioFrame>, language: String?)
        -> AsyncThrowingStream<Transcript, any Error> {
        .produced { output in
            var frames: [AudioFrame] = []
            for await frame in audio { frames.append(frame) }
            try Task.checkCancellation()
            guard let whole = STTSegment.join(frames) else {
                output.yield(.empty(language: language))
                return
            }
            output.yield(try await transcribe(whole, language: language))
        }
    }
}

/// Helpers for turning streamed frames into one segment.
enum STTSegment {
    /// Concatenates frames, converting any that differ from the first frame's format (a stream
    /// should not change format, but a provider switch upstream could). nil for no frames.
    static func join(_ frames: [AudioFrame]) -> AudioFrame? {
        guard let first = frames.first else { return nil }
        var samples: [Int16] = []
        samples.reserveCapacity(frames.reduce(0) { $0 + $1.samples.count })
        for frame in frames {
            if frame.sampleRate == first.sampleRate, frame.channels == first.channels {
                samples += frame.samples
            } else if frame.channels == first.channels,
                      let converted = try? Resampler.convert(frame, to: first.sampleRate) {
                samples += converted.samples
            }
            // A frame in another channel layout cannot be joined; dropping it beats failing the turn.
        }
        return AudioFrame(samples: samples, sampleRate: first.sampleRate, channels: first.channels)
    }
}
