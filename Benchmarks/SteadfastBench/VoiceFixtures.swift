import Agents
import Audio
import Glibc
import LocalSpeech
import Providers
import TestSupport
import Voice

/// Shared pieces of the voice-pipeline benchmarks: spoken turns (espeak-ng speech under a room's
/// noise floor, then quiet), providers that answer at once, and CPU clocks.
enum VoiceFixtures {
    static let sampleRate = 48_000
    static let frameMilliseconds = 20
    static let framesPerSecond = 1000 / frameMilliseconds
    /// What the user says, turn after turn. None ends on a word that sounds unfinished, so every
    /// turn ends after `minEndpointingDelay` (500 ms), not the 3 s maximum.
    static let phrases = [
        "what is the weather in Paris", "book a table for two tonight", "can you read me my messages",
        "how long does the train take", "switch to the faster model please",
    ]
    static let transcript = "what is the weather in Paris"
    static let reply = "Sure, it is sunny and mild in Paris today."
    /// Audio each reply renders: three 20 ms frames, so a real-time reply is over in 60 ms.
    static let replyMilliseconds = 60
    static var replyFrames: Int { replyMilliseconds / frameMilliseconds }
    /// Quiet after each utterance: the VAD's 400 ms hangover, the 500 ms endpointing delay, and margin.
    static let quietAfterSpeech = 1_200
    /// Noise before the first turn, for the VAD to learn the floor from.
    static let leadIn = 600

    /// The input of `turns` spoken turns as 20 ms frames, and the index of the frame after which
    /// the session's `TurnDetector` ends each turn (found by a twin detector, see `endOfTurnFrames`).
    struct Conversation {
        var frames: [AudioFrame]
        /// For each turn, its first frame (its speech or, for the first turn, the lead-in).
        var turnStarts: [Int]
        var endOfTurnFrames: [Int]
        var seconds: Double { Double(frames.count) / Double(framesPerSecond) }
    }

    static func conversation(turns: Int) async throws -> Conversation {
        let espeak = try EspeakTTS()
        var blocks: [[AudioFrame]] = []
        for (index, phrase) in phrases.enumerated() {
            let speech = try await speech(phrase, espeak: espeak)
            let block = noisy(speech, seed: UInt64(11 + index)).samples
                + roomNoise(milliseconds: quietAfterSpeech, seed: UInt64(31 + index)).samples
            blocks.append(AudioFrame(samples: block).chunked(milliseconds: frameMilliseconds))
        }
        var frames = roomNoise(milliseconds: leadIn, seed: 7).chunked(milliseconds: frameMilliseconds)
        var starts: [Int] = []
        for turn in 0..<turns {
            starts.append(turn == 0 ? 0 : frames.count)
            frames += blocks[turn % blocks.count]
        }
        let ends = try endOfTurnFrames(frames)
        guard ends.count == turns else {
            throw BenchFailure("the turn detector found \(ends.count) turns in \(turns) spoken ones")
        }
        return Conversation(frames: frames, turnStarts: starts, endOfTurnFrames: ends)
    }

    /// Runs a `TurnDetector` with the session's settings over `frames`, answering each transcription
    /// at once (as the instant STT does), and returns the indices of the frames that ended a turn.
    /// The detector is deterministic on its audio clock, so the session's own detector ends the same
    /// turns on the same frames; the benchmark uses this to time from outside when a turn ended.
    static func endOfTurnFrames(_ frames: [AudioFrame]) throws -> [Int] {
        var detector = try TurnDetector(settings: TurnSettings(), vad: .init())
        var ends: [Int] = []
        for (index, frame) in frames.enumerated() {
            try detector.handle(.audio(frame))
            while let output = detector.pollOutput() {
                switch output {
                case .transcribe(let segment, _):
                    try detector.handle(.transcript(segment: segment, text: transcript))
                case .endOfTurn:
                    ends.append(index)
                default:
                    break
                }
            }
        }
        return ends
    }

    /// espeak-ng speaking `text` at 48 kHz mono.
    static func speech(_ text: String, espeak: EspeakTTS) async throws -> AudioFrame {
        var frames: [AudioFrame] = []
        for try await frame in espeak.synthesize(text, voice: nil) { frames.append(frame) }
        guard let joined = AudioFrame.joined(frames) else { throw BenchFailure("espeak-ng produced no audio") }
        return joined
    }

    /// Quiet white noise (about −50 dBFS), a room's floor.
    static func roomNoise(milliseconds: Int, seed: UInt64) -> AudioFrame {
        var random = SplitMix64(seed: seed)
        return AudioFrame(samples: (0..<(48 * milliseconds)).map { _ in Int16.random(in: -100...100, using: &random) })
    }

    /// `speech` with the room's noise under it.
    static func noisy(_ speech: AudioFrame, seed: UInt64) -> AudioFrame {
        let noise = roomNoise(milliseconds: Int(speech.milliseconds) + 1, seed: seed)
        return AudioFrame(samples: zip(speech.samples, noise.samples).map { Int16(clamping: Int($0) + Int($1)) })
    }

    static func sttChain() -> FallbackRouter<STTCapability> {
        FallbackRouter(name: "stt", members: [ChainMember(name: "instant", service: InstantSTT(), policy: .lastResort)])
    }

    static func ttsChain() -> FallbackRouter<TTSCapability> {
        FallbackRouter(name: "tts", members: [ChainMember(name: "instant", service: InstantTTS(), policy: .lastResort)])
    }

    /// `reply` as an LLM streams it: word by word.
    static let replyPieces = reply.split(separator: " ").enumerated().map { index, word in
        index == 0 ? String(word) : " " + word
    }

    /// An LLM that streams `reply` at once (the router benchmarks' `InstantLLM`).
    static func instantLLM() -> InstantLLM { InstantLLM(providerName: "instant", pieces: replyPieces) }

    /// The LLM as production wires it: a `FallbackLLM` over a chain (here of one instant member).
    static func llmChain() -> FallbackLLM {
        FallbackLLM(router: FallbackRouter(name: "llm", members: [
            ChainMember(name: "instant", service: instantLLM(), policy: .lastResort)]))
    }
}


/// Hears the same words in any audio, at once.
struct InstantSTT: STT {
    let providerName = "instant"
    func transcribe(_ audio: AudioFrame, language: String?) async throws -> Transcript {
        Transcript(text: VoiceFixtures.transcript, language: language)
    }
}

/// Renders any text as `VoiceFixtures.replyMilliseconds` of a precomputed tone in 20 ms frames,
/// all ready when the stream is made.
struct InstantTTS: TTS {
    let providerName = "instant"
    let sampleRate = VoiceFixtures.sampleRate
    private static let frames: [AudioFrame] = {
        let count = VoiceFixtures.sampleRate * VoiceFixtures.replyMilliseconds / 1000
        let samples = (0..<count).map { Int16(8_000 * sin(2 * Double.pi * 440 * Double($0) / 48_000)) }
        return AudioFrame(samples: samples).chunked(milliseconds: VoiceFixtures.frameMilliseconds)
    }()

    func synthesize(_ text: String, voice: String?) -> AsyncThrowingStream<AudioFrame, any Error> {
        AsyncThrowingStream { continuation in
            if !text.isEmpty { for frame in Self.frames { continuation.yield(frame) } }
            continuation.finish()
        }
    }
}

/// An agent with no tools, greeting or hooks: every turn goes straight to the LLM.
struct BenchAgent: VoiceAgent {
    let name = "bench"
    let instructions = "You are a benchmark agent."
}

/// CPU time consumed so far, by this thread or the whole process.
enum CPUClock {
    static func thread() -> Double { read(CLOCK_THREAD_CPUTIME_ID) }
    static func process() -> Double { read(CLOCK_PROCESS_CPUTIME_ID) }

    private static func read(_ clock: clockid_t) -> Double {
        var time = timespec()
        clock_gettime(clock, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
