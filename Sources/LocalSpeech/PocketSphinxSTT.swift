import Audio
import Dispatch
import Logging
import Providers

/// Local speech to text with CMU PocketSphinx: the STT chain's never-fail tail.
///
/// Accuracy is far below cloud STT, but it needs no network, no key and no quota. Input at any
/// rate is downmixed and resampled to the 16 kHz mono the model was trained on. Decoding is
/// blocking C work: it runs on this instance's own serial queue (one decoder, one call at a time),
/// never on the cooperative pool. Silence and empty input give an empty transcript, not an error.
public final class PocketSphinxSTT: STT, Sendable {
    public let providerName = "pocketsphinx"
    public var model: String? { get async { "cmusphinx-en-us" } }
    private let worker: DecoderWorker
    private let logger: Logger

    /// Loads the model (about a second). Throws `LocalSpeechError.missingModel` naming the missing
    /// path and the Debian package to install.
    public init(model: PocketSphinxModel = .debianEnglish, logger: Logger = Logger(label: "steadfast.speech")) throws(LocalSpeechError) {
        worker = DecoderWorker(decoder: try PocketSphinxDecoder(model: model))
        self.logger = logger
    }

    /// Transcribes one utterance. `language` is ignored: the model is US English.
    public func transcribe(_ audio: AudioFrame, language: String?) async throws -> Transcript {
        let samples = try Self.monoSixteenKilohertz(audio)
        guard !samples.isEmpty else { return .empty(language: "en-US") }
        try Task.checkCancellation()
        let worker = self.worker
        let hypothesis = try await worker.queue.run { worker.decode(samples) }
        guard let hypothesis else {
            // Not an input problem (any samples are decodable): report it so a chain can notice.
            logger.error("pocketsphinx failed to decode an utterance", metadata: ["provider.name": "\(providerName)"])
            throw ProviderError(.server, "pocketsphinx failed to decode the utterance", provider: providerName)
        }
        logger.trace("pocketsphinx transcript", metadata: ["stt.characters": "\(hypothesis.text.count)"])
        return Transcript(text: hypothesis.text, confidence: hypothesis.confidence, language: "en-US", isFinal: true)
    }

    static func monoSixteenKilohertz(_ audio: AudioFrame) throws(ProviderError) -> [Int16] {
        guard !audio.isEmpty else { return [] }
        var mono = audio
        if audio.channels > 1 {
            let channels = audio.channels
            let averaged = (0..<audio.samplesPerChannel).map { index -> Int16 in
                let frame = audio.samples[(index * channels)..<((index + 1) * channels)]
                return Int16(frame.reduce(0) { $0 + Int($1) } / channels)
            }
            mono = AudioFrame(samples: averaged, sampleRate: audio.sampleRate, channels: 1)
        }
        do {
            return try Resampler.convert(mono, to: 16_000).samples
        } catch {
            throw ProviderError(.badRequest, "cannot resample \(audio.sampleRate) Hz audio: \(error)", provider: "pocketsphinx")
        }
    }
}

/// The decoder together with the serial queue that is the only place it is used.
///
/// SAFETY: `@unchecked Sendable` because `decoder` (a C handle) is only touched inside `decode`,
/// and `decode` is only called from work items on `queue`, a serial queue.
final class DecoderWorker: @unchecked Sendable {
    let queue = DispatchQueue(label: "steadfast.pocketsphinx")
    private let decoder: PocketSphinxDecoder

    init(decoder: PocketSphinxDecoder) { self.decoder = decoder }

    func decode(_ samples: [Int16]) -> PocketSphinxDecoder.Hypothesis? {
        dispatchPrecondition(condition: .onQueue(queue))
        return decoder.decode(samples)
    }
}
