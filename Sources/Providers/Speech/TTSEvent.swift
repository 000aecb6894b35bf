import Audio

/// What a routed TTS stream delivers: audio tagged with its sentence, sentence ends, and the end.
///
/// The sentence tags are what lets the router resume on another provider without repeating
/// audio (see `TTSCapability`). Codable so answers can be cached.
public enum TTSEvent: Sendable, Equatable, Codable {
    /// Audio of sentence `sentence` (an index into `TTSRequest.sentences`).
    case audio(sentence: Int, SpeechAudio)
    /// Every frame of sentence `sentence` has been delivered.
    case sentenceFinished(Int)
    /// The whole request has been spoken.
    case finished

    /// The sentence an event belongs to; nil for `.finished`.
    public var sentence: Int? {
        switch self {
        case .audio(let sentence, _): sentence
        case .sentenceFinished(let sentence): sentence
        case .finished: nil
        }
    }
}

/// An `AudioFrame` as a Codable value (the Audio target stays free of serialization concerns).
public struct SpeechAudio: Sendable, Equatable, Codable {
    public var samples: [Int16]
    public var sampleRate: Int
    public var channels: Int

    public init(_ frame: AudioFrame) {
        samples = frame.samples
        sampleRate = frame.sampleRate
        channels = frame.channels
    }

    public var frame: AudioFrame {
        // Decoded values may be garbage; clamp instead of tripping AudioFrame's precondition.
        AudioFrame(samples: samples, sampleRate: max(1, sampleRate), channels: max(1, channels))
    }
}
