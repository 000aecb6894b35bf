import Providers

/// Latencies of one turn, for logs and the status endpoint.
///
/// `endOfUtteranceDelay` is media time (the audio clock of `TurnDetector`); the rest is wall time
/// measured from the moment the turn ended. In a live room the two clocks run together, so
/// `endToEnd` is what the caller experiences: end of their speech to the agent's first audio.
public struct TurnMetrics: Sendable, Equatable {
    /// Silence from the end of the user's speech until the turn was judged over.
    public var endOfUtteranceDelay: Duration?
    /// Speech to text of the turn's last segment, from its end to its transcript.
    public var sttLatency: Duration?
    /// From the start of the LLM call to its first text.
    public var llmTimeToFirstToken: Duration?
    /// From the first text handed to TTS to its first audio.
    public var ttsTimeToFirstByte: Duration?
    /// From the end of the turn to the first agent audio played.
    public var turnEndToFirstAudio: Duration?
    /// Which LLM provider and model answered, when the LLM is a routed chain.
    public var llmProvider: ProviderName?

    public init() {}

    /// End of the user's speech to the first agent audio: endpointing plus the pipeline.
    public var endToEnd: Duration? {
        guard let turnEndToFirstAudio else { return nil }
        return (endOfUtteranceDelay ?? .zero) + turnEndToFirstAudio
    }

    /// One log line's worth of what was measured: "eou 512 ms, stt 130 ms, llm ttft 210 ms, tts ttfb 40 ms, e2e 790 ms".
    public var summary: String {
        let parts: [(String, Duration?)] = [("eou", endOfUtteranceDelay), ("stt", sttLatency),
                                            ("llm ttft", llmTimeToFirstToken), ("tts ttfb", ttsTimeToFirstByte),
                                            ("e2e", endToEnd)]
        let known = parts.compactMap { name, value in value.map { "\(name) \(Int(($0 / .milliseconds(1)).rounded())) ms" } }
        return known.isEmpty ? "no timings" : known.joined(separator: ", ")
    }
}
