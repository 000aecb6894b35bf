import Audio

/// A text-to-speech provider (cloud adapters and the local `EspeakTTS`).
///
/// `synthesize` streams frames as the provider produces them, so playback can start before the
/// whole text is rendered. Failures end the stream with a `ProviderError`; the router then goes
/// on with the next provider (see `TTSCapability` for what is and is not repeated).
///
/// A test double:
/// ```swift
/// struct ToneTTS: TTS {
///     let providerName = "tone"
///     let sampleRate = 48_000
///     func synthesize(_ text: String, voice: String?) -> AsyncThrowingStream<AudioFrame, any Error> {
///         AsyncThrowingStream { $0.yield(AudioFrame(samples: [Int16](repeating: 1000, count: 480))); $0.finish() }
///     }
/// }
/// ```
public protocol TTS: Sendable {
    /// Stable provider name for logs and status ("elevenlabs", "espeak").
    var providerName: String { get }
    /// The voice or model the next call will use, for logs; nil when there is no choice.
    var model: String? { get async }
    /// Rate of the frames `synthesize` yields.
    var sampleRate: Int { get }
    /// Speaks `text` in `voice` (nil: the provider's default). Empty text yields no frames.
    /// Cancelling the consumer cancels the work.
    func synthesize(_ text: String, voice: String?) -> AsyncThrowingStream<AudioFrame, any Error>
}

extension TTS {
    public var model: String? { get async { nil } }
}
