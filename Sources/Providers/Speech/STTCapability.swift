import Audio
import Transport

/// Speech to text as a routed capability.
///
/// Semantics: a segment is answered by exactly one provider with one final transcript. The
/// transcript is both the first output and the terminal event, so there is no "mid-answer"
/// failure: when a provider fails, times out or stalls, the router retries it (per its policy)
/// or hands the *same* segment to the next provider. An empty transcript is an answer (silence),
/// not a failure. `ProviderPolicy.firstTokenDeadline` is the time allowed for a whole segment.
public enum STTCapability: RoutedCapability {
    public static let kind = "STT"

    public static func start(_ service: any STT, _ request: STTRequest) -> AsyncThrowingStream<Transcript, any Error> {
        // The router stopping (or giving up on) the attempt cancels the call.
        .produced { output in
            var transcript = try await service.transcribe(request.audio, language: request.language)
            // A segment call answers the whole segment, whatever the provider flagged.
            transcript.isFinal = true
            output.yield(transcript)
        }
    }

    public static func model(of service: any STT) async -> String? { await service.model }

    /// Any final transcript, even an empty one: "nothing was said" is an answer.
    public static func isOutput(_ event: Transcript) -> Bool { event.isFinal }

    public static func isTerminal(_ event: Transcript) -> Bool { event.isFinal }

    public static func usage(in event: Transcript) -> (tokens: Int, costUSD: Double?)? { nil }

    /// Seconds of audio: STT limits and prices are per audio time, and the limits ledger only
    /// needs a size to compare.
    public static func estimatedTokens(_ request: STTRequest) -> Int {
        Int(request.audio.milliseconds / 1000)
    }

    public static func deadline(of request: STTRequest) -> ContinuousClock.Instant? { request.deadline }

    /// Nothing of a transcript reaches the caller before it is complete, so the next provider
    /// always gets the whole segment again.
    public static func continuation(of request: STTRequest, after delivered: [Transcript]) -> STTRequest { request }

    public static func splicer(after delivered: [Transcript]) -> TranscriptSplicer { TranscriptSplicer() }

    /// Audio is not cached: the same words are rarely spoken with the same samples.
    public static func cacheKey(_ request: STTRequest) -> String? { nil }
}

/// STT continuations never overlap what was delivered (see `STTCapability`): a pass-through.
public struct TranscriptSplicer: EventSplicer {
    public init() {}
    public mutating func accept(_ event: Transcript) -> [Transcript] { [event] }
    public mutating func finish() -> [Transcript] { [] }
}
