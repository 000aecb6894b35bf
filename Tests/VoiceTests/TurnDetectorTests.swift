import Agents
import Audio
import Testing
@testable import Voice

/// Turn-taking on media time: audio is fed as fast as the test likes, and the audio itself is the
/// clock, so every decision lands at an exact, repeatable moment.
@Suite("TurnDetector")
struct TurnDetectorTests {
    /// Feeds `audio` in 20 ms frames, collecting outputs with the media time they appeared at.
    static func feed(_ detector: inout TurnDetector, _ audio: AudioFrame) throws -> [(TurnDetector.Output, Duration)] {
        var outputs: [(TurnDetector.Output, Duration)] = []
        for frame in audio.chunked(milliseconds: 20) {
            try detector.handle(.audio(frame))
            while let output = detector.pollOutput() { outputs.append((output, detector.now)) }
        }
        return outputs
    }

    static func drain(_ detector: inout TurnDetector) -> [TurnDetector.Output] {
        var outputs: [TurnDetector.Output] = []
        while let output = detector.pollOutput() { outputs.append(output) }
        return outputs
    }

    static func question() async throws -> AudioFrame {
        VoiceFixtures.noisy(try await VoiceFixtures.speech("what is the weather in Paris"))
    }

    @Test func aTurnEndsAfterTheMinimumSilenceOnceItsTranscriptIsIn() async throws {
        let speech = try await Self.question()
        var detector = try TurnDetector()
        var outputs = try Self.feed(&detector, VoiceFixtures.roomNoise(milliseconds: 600))
        #expect(outputs.isEmpty, "room noise alone is not speech")
        outputs = try Self.feed(&detector, VoiceFixtures.concatenate([speech, VoiceFixtures.roomNoise(milliseconds: 1_000)]))
        let kinds = outputs.map(\.0)
        #expect(kinds.first == .userStartedSpeaking)
        #expect(kinds.contains(.userStoppedSpeaking))
        let transcribe = try #require(outputs.compactMap { output -> AudioFrame? in
            if case .transcribe(0, let audio) = output.0 { return audio } else { return nil }
        }.first)
        // The segment holds the whole utterance (pre-roll included), give or take the hangover.
        #expect(transcribe.milliseconds > speech.milliseconds * 0.7 && transcribe.milliseconds < speech.milliseconds + 800)

        // No transcript yet: however long the silence, the turn cannot be judged.
        outputs = try Self.feed(&detector, VoiceFixtures.roomNoise(milliseconds: 1_000))
        #expect(!outputs.contains { if case .endOfTurn = $0.0 { true } else { false } })
        try detector.handle(.transcript(segment: 0, text: "what is the weather in paris"))
        let ended = Self.drain(&detector)
        #expect(ended.first == .interimTranscript("what is the weather in paris"))
        guard case .endOfTurn(let turn)? = ended.last else {
            Issue.record("no end of turn after the transcript: \(ended)")
            return
        }
        #expect(turn.text == "what is the weather in paris")
        #expect(turn.endOfUtteranceDelay >= .milliseconds(1_000), "the wait for the transcript counts: \(turn.endOfUtteranceDelay)")
    }

    @Test func withAPromptTranscriptTheTurnEndsAtTheMinimumDelay() async throws {
        let speech = try await Self.question()
        var detector = try TurnDetector()
        _ = try Self.feed(&detector, VoiceFixtures.roomNoise(milliseconds: 600))
        var endedAt: (TurnDetector.UserTurn, Duration)?
        var answered = false
        for frame in VoiceFixtures.concatenate([speech, VoiceFixtures.roomNoise(milliseconds: 2_000)]).chunked(milliseconds: 20) {
            try detector.handle(.audio(frame))
            while let output = detector.pollOutput() {
                if case .transcribe(let segment, _) = output, !answered {
                    answered = true
                    try detector.handle(.transcript(segment: segment, text: "what is the weather"))
                }
                if case .endOfTurn(let turn) = output, endedAt == nil { endedAt = (turn, detector.now) }
            }
        }
        let (turn, at) = try #require(endedAt)
        // 0.5 s minimum endpointing delay, decided on the first 20 ms frame past it.
        #expect(turn.endOfUtteranceDelay >= .milliseconds(500) && turn.endOfUtteranceDelay < .milliseconds(520))
        #expect(at - turn.speechEndedAt == turn.endOfUtteranceDelay)
    }

    @Test func unfinishedWordsWaitForTheMaximumDelay() async throws {
        let speech = try await Self.question()
        var detector = try TurnDetector()
        _ = try Self.feed(&detector, VoiceFixtures.roomNoise(milliseconds: 600))
        var turn: TurnDetector.UserTurn?
        for frame in VoiceFixtures.concatenate([speech, VoiceFixtures.roomNoise(milliseconds: 3_500)]).chunked(milliseconds: 20) {
            try detector.handle(.audio(frame))
            while let output = detector.pollOutput() {
                if case .transcribe(let segment, _) = output {
                    try detector.handle(.transcript(segment: segment, text: "what is the weather in paris and"))
                }
                if case .endOfTurn(let ended) = output { turn = ended }
            }
        }
        let ended = try #require(turn)
        #expect(ended.endOfUtteranceDelay >= .seconds(3) && ended.endOfUtteranceDelay < .milliseconds(3_020))
    }

    @Test func emptyTranscriptsEndNoTurn() async throws {
        let speech = try await Self.question()
        var detector = try TurnDetector()
        var outputs = try Self.feed(&detector, VoiceFixtures.concatenate([
            VoiceFixtures.roomNoise(milliseconds: 600), speech, VoiceFixtures.roomNoise(milliseconds: 600)]))
        let segments = outputs.compactMap { output -> Int? in
            if case .transcribe(let segment, _) = output.0 { segment } else { nil }
        }
        #expect(segments == [0])
        try detector.handle(.transcript(segment: 0, text: "  "))
        outputs = try Self.feed(&detector, VoiceFixtures.roomNoise(milliseconds: 4_000))
        #expect(Self.drain(&detector).isEmpty && outputs.isEmpty)
    }

    @Test func speechOverTheReplyInterruptsOnceAfterTheMinimumDuration() async throws {
        let speech = try await Self.question()
        var detector = try TurnDetector()
        _ = try Self.feed(&detector, VoiceFixtures.roomNoise(milliseconds: 600))
        try detector.handle(.replyActive(true))
        let outputs = try Self.feed(&detector, VoiceFixtures.concatenate([speech, VoiceFixtures.roomNoise(milliseconds: 600)]))
        let started = try #require(outputs.first { $0.0 == .userStartedSpeaking }?.1)
        let interruptions = outputs.filter { $0.0 == .interruption }
        #expect(interruptions.count == 1)
        let at = try #require(interruptions.first?.1)
        // The VAD reports speech 100 ms after its onset, so the onset is ~100 ms before `started`.
        #expect(at - started >= .milliseconds(350) && at - started <= .milliseconds(500), "interrupted \(at - started) after detection")
        // The interrupting speech is the next turn: it is transcribed.
        #expect(outputs.contains { if case .transcribe = $0.0 { true } else { false } })
    }

    @Test func shortSpeechOverTheReplyIsAFalseInterruption() async throws {
        // 300 ms of real speech: a cough-length "mm-hmm", under the 500 ms interruption threshold.
        let speech = try await VoiceFixtures.speech("what is the weather in Paris")
        let onset = try #require(speech.samples.firstIndex { abs(Int($0)) > 1_000 })
        let word = VoiceFixtures.noisy(AudioFrame(samples: Array(speech.samples[onset..<onset + 14_400])))
        var detector = try TurnDetector()
        _ = try Self.feed(&detector, VoiceFixtures.roomNoise(milliseconds: 600))
        try detector.handle(.replyActive(true))
        let outputs = try Self.feed(&detector, VoiceFixtures.concatenate([word, VoiceFixtures.roomNoise(milliseconds: 800)]))
        #expect(outputs.contains { $0.0 == .userStartedSpeaking }, "the word was heard")
        #expect(!outputs.contains { $0.0 == .interruption })
        #expect(!outputs.contains { if case .transcribe = $0.0 { true } else { false } }, "and dropped, not answered")
    }

    @Test func inputEndingClosesTheTurnWithoutWaiting() async throws {
        let speech = try await Self.question()
        var detector = try TurnDetector()
        let outputs = try Self.feed(&detector, VoiceFixtures.concatenate([VoiceFixtures.roomNoise(milliseconds: 600), speech]))
        #expect(outputs.contains { $0.0 == .userStartedSpeaking })
        try detector.handle(.inputEnded)
        let closing = Self.drain(&detector)
        #expect(closing.contains { if case .transcribe = $0 { true } else { false } })
        try detector.handle(.transcript(segment: 0, text: "what is the weather"))
        guard case .endOfTurn(let turn)? = Self.drain(&detector).last else {
            Issue.record("the turn did not end when the input did")
            return
        }
        #expect(turn.text == "what is the weather")
    }

    @Test func unfinishedWordList() {
        #expect(TurnDetector.soundsUnfinished("I want to go to Paris and"))
        #expect(TurnDetector.soundsUnfinished("um"))
        #expect(!TurnDetector.soundsUnfinished("what is the weather in Paris"))
        #expect(!TurnDetector.soundsUnfinished(""))
    }
}
