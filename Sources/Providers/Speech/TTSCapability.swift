import Audio
import Transport

/// Text to speech as a routed capability.
///
/// Semantics, chosen so the listener never hears audio twice:
/// - The request's text is spoken sentence by sentence, one `synthesize` call per sentence, and
///   every audio event carries its sentence index.
/// - A provider that fails before any audio reached the caller is retried or replaced as usual;
///   the next provider starts from the beginning.
/// - A provider that fails after audio started is replaced, and the next provider resumes at the
///   first sentence of which *no* audio reached the caller. Sentences already finished are not
///   repeated; the rest of a sentence that was cut off mid-way is lost (a clipped sentence is
///   less confusing than a repeated one, and a different voice cannot finish another's sentence).
///   LiveKit's FallbackAdapter instead drops the whole rest of the segment in that case.
/// - With `outputSampleRate` set, every provider's audio is resampled to it, so a switch does not
///   change the format the caller plays.
public enum TTSCapability: RoutedCapability {
    public static let kind = "TTS"

    public static func start(_ service: any TTS, _ request: TTSRequest) -> AsyncThrowingStream<TTSEvent, any Error> {
        // The router stopping (or giving up on) the attempt cancels the synthesis.
        .produced { output in
            var converter = OutputConverter(targetRate: request.outputSampleRate, provider: service.providerName)
            for (index, sentence) in request.remaining {
                for try await frame in service.synthesize(sentence, voice: request.voice) {
                    try Task.checkCancellation()
                    let converted = try converter.convert(frame)
                    if !converted.isEmpty { output.yield(.audio(sentence: index, SpeechAudio(converted))) }
                }
                try Task.checkCancellation()
                output.yield(.sentenceFinished(index))
            }
            output.yield(.finished)
        }
    }

    public static func model(of service: any TTS) async -> String? { await service.model }

    public static func isOutput(_ event: TTSEvent) -> Bool {
        if case .audio(_, let audio) = event { return !audio.samples.isEmpty }
        return false
    }

    public static func isTerminal(_ event: TTSEvent) -> Bool { event == .finished }

    public static func usage(in event: TTSEvent) -> (tokens: Int, costUSD: Double?)? { nil }

    /// Characters still to speak: TTS providers limit and bill by character.
    public static func estimatedTokens(_ request: TTSRequest) -> Int {
        request.remaining.reduce(0) { $0 + $1.text.count }
    }

    public static func deadline(of request: TTSRequest) -> ContinuousClock.Instant? { request.deadline }

    public static func continuation(of request: TTSRequest, after delivered: [TTSEvent]) -> TTSRequest {
        var next = request
        next.firstSentence = resumeIndex(of: request, after: delivered)
        return next
    }

    public static func splicer(after delivered: [TTSEvent]) -> TTSSplicer {
        TTSSplicer(resumeAt: delivered.compactMap(\.sentence).max().map { $0 + 1 } ?? 0)
    }

    /// Synthesized audio is large and voice-specific: not cached.
    public static func cacheKey(_ request: TTSRequest) -> String? { nil }

    /// The first sentence none of whose events reached the caller.
    static func resumeIndex(of request: TTSRequest, after delivered: [TTSEvent]) -> Int {
        let started = delivered.compactMap(\.sentence).max().map { $0 + 1 } ?? 0
        return max(request.firstSentence, started)
    }
}

/// Drops any event of a sentence that the caller already heard (all or part of). The
/// continuation request already starts after those sentences, so this is a guard, not the mechanism.
public struct TTSSplicer: EventSplicer {
    public let resumeAt: Int

    public init(resumeAt: Int) { self.resumeAt = resumeAt }

    public mutating func accept(_ event: TTSEvent) -> [TTSEvent] {
        if let sentence = event.sentence, sentence < resumeAt { return [] }
        return [event]
    }

    public mutating func finish() -> [TTSEvent] { [] }
}

/// Resamples one provider's frames to the request's output rate, keeping filter state across
/// frames so sentence audio has no clicks at frame boundaries.
struct OutputConverter {
    let targetRate: Int?
    let provider: String
    private var resampler: Resampler?

    init(targetRate: Int?, provider: String) {
        self.targetRate = targetRate
        self.provider = provider
    }

    mutating func convert(_ frame: AudioFrame) throws(ProviderError) -> AudioFrame {
        guard let targetRate, frame.sampleRate != targetRate else { return frame }
        do {
            if resampler?.inputRate != frame.sampleRate || resampler?.channels != frame.channels {
                resampler = try Resampler(from: frame.sampleRate, to: targetRate, channels: frame.channels)
            }
            guard let resampler else { return frame }
            return try resampler.process(frame)
        } catch {
            throw ProviderError(.malformedResponse, "cannot resample \(frame.sampleRate) Hz audio: \(error)",
                                provider: provider)
        }
    }
}
