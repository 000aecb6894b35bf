import Audio
import Dispatch
import Logging
import Providers

/// Local text to speech with libespeak-ng: the TTS chain's never-fail tail.
///
/// Robotic but instant, offline and free. espeak renders 22 050 Hz; frames are resampled to
/// `sampleRate` (48 kHz by default, the media path's rate) and yielded as espeak produces them.
/// All instances share one process-wide espeak (it has global state), so calls are serialized:
/// a second utterance starts when the first is done. Empty text gives an empty stream.
public final class EspeakTTS: TTS, Sendable {
    public let providerName = "espeak"
    public let sampleRate: Int
    /// espeak voice used when a call names none, or names one espeak does not know ("en-us").
    public let defaultVoice: String
    /// Words per minute (espeak accepts 80...450; 175 is its default).
    public let wordsPerMinute: Int
    public var model: String? { get async { "espeak-ng:\(defaultVoice)" } }
    private let nativeRate: Int
    private let logger: Logger

    /// Initializes espeak-ng on first use. Throws `LocalSpeechError.missingModel` naming the data
    /// path and the Debian package when espeak's data is not installed.
    public init(voice: String = "en-us", wordsPerMinute: Int = 175, sampleRate: Int = AudioFrame.defaultSampleRate,
                logger: Logger = Logger(label: "steadfast.speech")) throws(LocalSpeechError) {
        guard sampleRate > 0 else { throw LocalSpeechError(.engineFailed, "sample rate must be positive, got \(sampleRate)") }
        nativeRate = try EspeakEngine.shared.start()
        self.sampleRate = sampleRate
        defaultVoice = voice
        self.wordsPerMinute = min(450, max(80, wordsPerMinute))
        self.logger = logger
    }

    public func synthesize(_ text: String, voice: String?) -> AsyncThrowingStream<AudioFrame, any Error> {
        let (stream, output) = AsyncThrowingStream<AudioFrame, any Error>.makeStream()
        guard text.contains(where: { !$0.isWhitespace }) else {
            output.finish()
            return stream
        }
        let sink: SynthesisSink
        do {
            sink = try SynthesisSink(nativeRate: nativeRate, outputRate: sampleRate, continuation: output)
        } catch {
            output.finish(throwing: ProviderError(.server, "cannot resample espeak audio: \(error)", provider: providerName))
            return stream
        }
        output.onTermination = { _ in sink.cancel() }
        let engine = EspeakEngine.shared
        let (voiceName, fallback, rate, logger) = (voice ?? defaultVoice, defaultVoice, wordsPerMinute, logger)
        engine.queue.async {
            guard !sink.isCancelled else { return output.finish() }
            if !engine.speak(text, voice: voiceName, fallbackVoice: fallback, rate: rate, into: sink) {
                // espeak refuses only on internal trouble (buffer full); silence beats a failed turn.
                logger.error("espeak-ng refused to synthesize", metadata: ["provider.name": "espeak"])
            }
            output.finish()
        }
        return stream
    }
}
